package io.penni.cli.internal;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.pipeline.ReportAssembler;

/**
 * What {@code follow} shows for each of a job's events: lines that stay (a stage starting, an epoch ending, a stage
 * completing with its seconds, the headline when the job completes, the reasons when it fails) and the one live
 * progress line of the running stage (epoch, iteration with a bar, loss, accuracy, sparsity, images/s, ETA). The
 * ETA comes from the stage's own pace: iterations done between its first progress event and the latest, by the
 * events' times, so replaying a finished job shows the ETAs it had.
 */
public final class FollowView {

    /** What to print. */
    public sealed interface Output permits Line, Live, LiveEnd {
    }

    /**
     * A line that stays.
     *
     * @param text the line
     */
    public record Line(String text) implements Output {
    }

    /**
     * The running stage's progress line, redrawn in place on a terminal.
     *
     * @param stage the stage
     * @param text the line
     * @param time when the event happened
     */
    public record Live(String stage, String text, Instant time) implements Output {
    }

    /** The live line is over (its stage ended or the job did): clear it. */
    public record LiveEnd() implements Output {
    }

    private static final int BAR = 16;

    private final String jobId;
    private Optional<Integer> exitStatus = Optional.empty();
    private Optional<Instant> accepted = Optional.empty();
    /** The running stage's first progress point: the origin of its pace. */
    private Optional<String> paceStage = Optional.empty();
    private Instant paceTime = Instant.EPOCH;
    private long paceDone;

    /**
     * @param jobId the job followed
     */
    public FollowView(String jobId) {
        this.jobId = jobId;
    }

    /** @return the exit status once the job has ended: 0 completed, 1 failed or rejected */
    public Optional<Integer> exitStatus() {
        return exitStatus;
    }

    /**
     * @param event one of the job's events
     * @return what to print for it
     */
    public List<Output> render(JobEvent event) {
        EventData data = new EventData(event.data());
        String stage = event.stage().orElse("");
        List<Output> out = new ArrayList<>();
        EventType type = event.type();
        if (type == EventType.JOB_ACCEPTED) {
            accepted = Optional.of(event.time());
            out.add(new Line("job " + jobId + " accepted: model " + data.text("model").orElse("?") + ", data "
                    + data.text("dataset").orElse("?") + "; stages " + String.join(", ", data.texts("plan"))));
        } else if (type == EventType.JOB_REJECTED) {
            out.add(new LiveEnd());
            out.add(new Line("job " + jobId + " rejected:"));
            data.texts("reasons").forEach(r -> out.add(new Line("  - " + r)));
            exitStatus = Optional.of(1);
        } else if (type == EventType.STAGE_QUEUED) {
            out.add(new Line(tag(stage) + "queued: " + data.text("reason").orElse("waiting for a free slot")));
        } else if (type == EventType.STAGE_STARTED) {
            paceStage = Optional.empty();
            long attempt = data.count("attempt");
            out.add(new LiveEnd());
            out.add(new Line(tag(stage) + "started" + (attempt > 1 ? " (attempt " + attempt + ")" : "")
                    + data.text("note").map(n -> ": " + n).orElse("")));
        } else if (type == EventType.STAGE_PROGRESS) {
            out.addAll(progress(stage, data, event.time()));
        } else if (type == EventType.STAGE_COMPLETED) {
            paceStage = Optional.empty();
            out.add(new LiveEnd());
            out.add(new Line(tag(stage) + "completed in " + Figures.seconds(data.number("seconds").orElse(0))
                    + stageFigures(data.object("summary"))));
        } else if (type == EventType.JOB_COMPLETED) {
            out.add(new LiveEnd());
            out.addAll(headline(data, event.time()));
            exitStatus = Optional.of(0);
        } else if (type == EventType.JOB_FAILED) {
            out.add(new LiveEnd());
            out.add(new Line("job " + jobId + " failed in stage " + data.text("stage").orElse(stage) + ": "
                    + data.text("reason").orElse("no reason given")));
            exitStatus = Optional.of(1);
        }
        return out;
    }

    private List<Output> progress(String stage, EventData data, Instant time) {
        long epoch = data.count("epoch");
        long epochs = data.count("epochs");
        long iteration = data.count("iteration");
        long iterations = data.count("iterations");
        Optional<String> message = data.text("message");
        if (message.isPresent()) {
            // an epoch's end or a note: it stays, with whatever figures it carries
            String figures = figures(data, ", ", true);
            return List.of(new Line(tag(stage) + message.get() + (figures.isEmpty() ? "" : ": " + figures)));
        }
        StringBuilder line = new StringBuilder(tag(stage));
        if (epochs > 0) {
            line.append("epoch ").append(epoch).append('/').append(epochs).append(' ');
        }
        if (iterations > 0) {
            line.append("iter ").append(iteration).append('/').append(iterations).append(' ')
                    .append(bar((double) iteration / iterations)).append(' ');
        }
        line.append(figures(data, " ", false));
        eta(stage, epoch, epochs, iteration, iterations, time).ifPresent(eta -> line.append(" ETA ").append(eta));
        return List.of(new Live(stage, line.toString().stripTrailing(), time));
    }

    /** Time left in the stage at its pace so far, once there are two progress points to measure it by. */
    private Optional<String> eta(String stage, long epoch, long epochs, long iteration, long iterations, Instant time) {
        if (epochs <= 0 || iterations <= 0 || epoch <= 0) {
            return Optional.empty();
        }
        long done = (epoch - 1) * iterations + iteration;
        long total = epochs * iterations;
        if (paceStage.isEmpty() || !paceStage.get().equals(stage) || done < paceDone) {
            paceStage = Optional.of(stage);
            paceTime = time;
            paceDone = done;
            return Optional.empty();
        }
        double seconds = Duration.between(paceTime, time).toMillis() / 1000.0;
        if (seconds < 1 || done == paceDone) {
            return Optional.empty();
        }
        double perSecond = (done - paceDone) / seconds;
        return Optional.of(Figures.compact(Duration.ofSeconds(Math.round((total - done) / perSecond))));
    }

    private static String figures(EventData data, String separator, boolean full) {
        List<String> parts = new ArrayList<>();
        data.number("loss").ifPresent(v -> parts.add("loss " + Figures.decimal(v)));
        data.number("accuracy").ifPresent(v -> parts.add((full ? "accuracy " : "acc ") + Figures.shortPercent(v)));
        data.number("sparsity").ifPresent(v -> parts.add("sparsity " + Figures.shortPercent(v)));
        data.number("imagesPerSecond").ifPresent(v -> parts.add(Math.round(v) + " img/s"));
        return String.join(separator, parts);
    }

    private static String stageFigures(EventData summary) {
        List<String> parts = new ArrayList<>();
        summary.number("accuracy").ifPresent(v -> parts.add("accuracy " + Figures.percent(v)));
        OptionalDouble zero = summary.number("zeroCoefficients");
        (zero.isPresent() ? zero : summary.number("sparsity"))
                .ifPresent(v -> parts.add("zero coefficients " + Figures.shortPercent(v)));
        summary.number("params").ifPresent(v -> parts.add(Figures.count((long) v) + " params"));
        return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
    }

    private List<Output> headline(EventData data, Instant time) {
        EventData h = data.object("headline");
        List<Output> out = new ArrayList<>();
        out.add(new Line("job " + jobId + " completed" + accepted.map(a -> " in "
                + Figures.compact(Duration.between(a, time))).orElse("")));
        OptionalDouble before = h.number("baselineAccuracy");
        OptionalDouble after = h.number("compressedAccuracy");
        if (before.isPresent() && after.isPresent()) {
            out.add(new Line(String.format("  %-12s %s -> %s", "accuracy", Figures.percent(before.getAsDouble()),
                    Figures.percent(after.getAsDouble()))));
        } else if (after.isPresent()) {
            out.add(new Line(String.format("  %-12s %s", "accuracy", Figures.percent(after.getAsDouble()))));
        }
        out.add(new Line(String.format("  %-12s %s", "conv params",
                Figures.change(h.count("convParamsBefore"), h.count("convParamsAfter")))));
        out.add(new Line(String.format("  %-12s %s", "conv MACs",
                Figures.change(h.count("convMacsBefore"), h.count("convMacsAfter")))));
        out.add(new Line(String.format("  %-12s %s", "all params",
                Figures.change(h.count("paramsBefore"), h.count("paramsAfter")))));
        out.add(new Line(String.format("  %-12s %s", "all MACs",
                Figures.change(h.count("macsBefore"), h.count("macsAfter")))));
        data.artifact(ReportAssembler.REPORT_MARKDOWN).ifPresent(r -> out.add(new Line(String.format("  %-12s %s   (bin/penni report %s)",
                "report", where(r), jobId))));
        data.artifact("model").ifPresent(m -> out.add(new Line(String.format("  %-12s %s   (bin/penni fetch %s DIR)",
                "model", where(m), jobId))));
        data.artifact(ReportAssembler.MODEL_ONNX).ifPresent(m -> out.add(new Line(String.format(
                "  %-12s %s   (factored form; bin/penni export %s --form dense --out FILE.onnx)", "onnx", where(m),
                jobId))));
        return out;
    }

    /** A {@code file:} artifact as a path, anything else as its URI. */
    static String where(ArtifactRef ref) {
        URI uri = ref.uri();
        if ("file".equals(uri.getScheme())) {
            try {
                return Path.of(uri).toString();
            } catch (IllegalArgumentException e) {
                return uri.toString();
            }
        }
        return uri.toString();
    }

    private static String tag(String stage) {
        return stage.isEmpty() ? "" : "[" + stage + "] ";
    }

    private static String bar(double fraction) {
        int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "]";
    }
}
