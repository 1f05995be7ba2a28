package io.penni.local.internal;

import java.io.PrintStream;
import java.util.Locale;

import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.pipeline.CompressionPipeline;

/** Prints each stage's start, its progress on one line (in place on a terminal) and its end. */
final class ProgressPrinter implements CompressionPipeline.Listener {
    private final PrintStream out;
    private final boolean terminal = System.console() != null;
    private long lastLine;

    ProgressPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void stageStarted(String stage, boolean skipped) {
        out.println(skipped ? stage + ": done before, reusing its outputs" : stage + ": started");
    }

    @Override
    public void recordSetAside(String stage, String why) {
        out.println(stage + ": " + why);
    }

    @Override
    public void progress(String stage, StageProgress p) {
        boolean epochEnd = p.iteration() == 0 && p.epochs() > 0;
        long now = System.nanoTime();
        if (!epochEnd && p.message().isEmpty() && now - lastLine < 1_000_000_000L) {
            return;
        }
        lastLine = now;
        StringBuilder line = new StringBuilder(stage);
        if (p.epochs() > 0) {
            line.append(String.format(Locale.ROOT, " epoch %d/%d", p.epoch(), p.epochs()));
        }
        if (p.iterations() > 0) {
            line.append(String.format(Locale.ROOT, " step %d/%d", p.iteration(), p.iterations()));
        }
        p.loss().ifPresent(v -> line.append(String.format(Locale.ROOT, " loss %.3f", v)));
        p.accuracy().ifPresent(v -> line.append(String.format(Locale.ROOT, " acc %.1f%%", 100 * v)));
        p.sparsity().ifPresent(v -> line.append(String.format(Locale.ROOT, " sparsity %.1f%%", 100 * v)));
        p.imagesPerSecond().ifPresent(v -> line.append(String.format(Locale.ROOT, " %.0f img/s", v)));
        if (!p.message().isEmpty()) {
            line.append(" — ").append(p.message());
        }
        if (terminal && !epochEnd && p.message().isEmpty()) {
            out.print("\r" + line + "\u001b[K");
        } else {
            out.println((terminal ? "\r" : "") + line);
        }
    }

    @Override
    public void stageEnded(String stage, StageOutcome outcome, double seconds) {
        String how = outcome instanceof StageOutcome.Failed f ? "failed: " + f.reason() : "completed";
        out.println((terminal ? "\r\u001b[K" : "") + String.format(Locale.ROOT, "%s: %s in %.1f s", stage, how, seconds));
    }
}
