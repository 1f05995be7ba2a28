package io.penni.dashboard.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.event.EventType;
import io.penni.api.event.JobEvent;
import io.penni.api.job.JobState;
import io.penni.api.job.JobStatus;

/**
 * What the dashboard knows of every job, folded from the job table ({@code penni.jobs}) and the job events
 * ({@code penni.events}): status, the stage timeline, the running stage's live progress and ETA, the learning
 * curves seen so far, the headline figures and the failure reason. Views are plain maps, written as JSON as they
 * are. Listeners hear of every change (a job's new summary and, for an event, the event's view).
 */
final class JobBoard {

    private final int eventsPerJob;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<BiConsumer<Map<String, Object>, Optional<Map<String, Object>>>> listeners =
            new CopyOnWriteArrayList<>();

    /**
     * @param eventsPerJob how many of a job's events are kept (the oldest progress events go first)
     */
    JobBoard(int eventsPerJob) {
        this.eventsPerJob = eventsPerJob;
    }

    /** @param listener told (job summary, event view if an event caused it) after every change */
    void listen(BiConsumer<Map<String, Object>, Optional<Map<String, Object>>> listener) {
        listeners.add(listener);
    }

    /** @param state a job's latest state from the job table */
    void accept(JobState state) {
        Map<String, Object> summary;
        synchronized (this) {
            Job job = jobs.computeIfAbsent(state.jobId(), Job::new);
            if (job.state != null && job.state.updated().isAfter(state.updated())) {
                return; // an older state read after a newer one (another partition's order): keep the newer
            }
            job.state = state;
            if (job.created == null) {
                job.created = state.updated();
            }
            summary = summary(job);
        }
        listeners.forEach(l -> l.accept(summary, Optional.empty()));
    }

    /** @param event one of a job's events; an event about a served model is not a job's and is left out */
    void accept(JobEvent event) {
        if (!event.type().aboutAJob()) {
            return;
        }
        Map<String, Object> summary;
        Map<String, Object> view;
        synchronized (this) {
            Job job = jobs.computeIfAbsent(event.jobId(), Job::new);
            job.apply(event);
            view = eventView(event);
            job.events.addLast(view);
            trim(job.events);
            summary = summary(job);
        }
        listeners.forEach(l -> l.accept(summary, Optional.of(view)));
    }

    /** @return every job's summary, newest first */
    synchronized List<Map<String, Object>> jobs() {
        List<Job> all = new ArrayList<>(jobs.values());
        all.sort(Comparator.comparing((Job j) -> j.created == null ? Instant.EPOCH : j.created).reversed());
        return all.stream().map(JobBoard::summary).toList();
    }

    /**
     * @param jobId a job
     * @return its summary with the stage timeline, curves, recent events and artifacts; empty for an unknown job
     */
    synchronized Optional<Map<String, Object>> job(String jobId) {
        Job job = jobs.get(jobId);
        if (job == null) {
            return Optional.empty();
        }
        Map<String, Object> detail = summary(job);
        detail.put("stages", job.timeline());
        Map<String, Object> curves = new LinkedHashMap<>();
        job.curves.forEach((stage, epochs) -> curves.put(stage, List.copyOf(epochs.values())));
        detail.put("curves", curves);
        detail.put("events", List.copyOf(job.events));
        detail.put("artifacts", job.state == null ? List.of() : List.copyOf(job.state.artifacts().keySet()));
        return Optional.of(detail);
    }

    /**
     * @param jobId a job
     * @return its artifacts as the job table lists them now
     */
    synchronized Map<String, ArtifactRef> artifacts(String jobId) {
        Job job = jobs.get(jobId);
        return job == null || job.state == null ? Map.of() : job.state.artifacts();
    }

    /** @return how many jobs are in each status (queued, running, completed, failed, rejected) */
    synchronized Map<String, Integer> byStatus() {
        Map<JobStatus, Integer> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus s : JobStatus.values()) {
            counts.put(s, 0);
        }
        jobs.values().forEach(j -> counts.merge(j.status(), 1, Integer::sum));
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((s, n) -> out.put(s.name().toLowerCase(java.util.Locale.ROOT), n));
        return out;
    }

    private void trim(Deque<Map<String, Object>> events) {
        while (events.size() > eventsPerJob) {
            // progress events are many and only the latest matters; the others tell the job's story
            Map<String, Object> dropped = events.stream()
                    .filter(e -> EventType.STAGE_PROGRESS.type().equals(e.get("type"))).findFirst()
                    .orElse(events.peekFirst());
            events.remove(dropped);
        }
    }

    private static Map<String, Object> eventView(JobEvent event) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("type", event.type().type());
        view.put("job", event.jobId());
        event.stage().ifPresent(s -> view.put("stage", s));
        view.put("time", event.time().toString());
        view.put("data", event.data());
        return view;
    }

    private static Map<String, Object> summary(Job job) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", job.id);
        s.put("status", job.status().name());
        Optional<String> stage = job.state != null ? job.state.stage() : Optional.ofNullable(job.runningStage);
        s.put("stage", stage.orElse(null));
        s.put("message", job.state != null ? job.state.message() : "");
        s.put("completedStages", job.state != null ? job.state.completedStages() : List.of());
        s.put("created", job.created == null ? null : job.created.toString());
        s.put("updated", job.state != null ? job.state.updated().toString() : null);
        Instant end = job.status().isFinal() && job.state != null ? job.state.updated() : Instant.now();
        s.put("seconds", job.created == null ? null : Duration.between(job.created, end).toMillis() / 1000.0);
        s.put("progress", job.status() == JobStatus.RUNNING ? job.progress() : null);
        s.put("baselineAccuracy", job.baselineAccuracy);
        s.put("headline", job.headline);
        s.put("reason", job.reason);
        s.put("reasons", job.reasons);
        return s;
    }

    /** One job as the board folds it. */
    private static final class Job {
        final String id;
        JobState state;
        Instant created;
        String runningStage;
        Double baselineAccuracy;
        Map<String, Object> headline;
        String reason;
        List<String> reasons;
        Map<String, Object> lastProgress;
        Instant lastProgressTime;
        final Map<String, Map<String, Object>> stages = new LinkedHashMap<>();
        final Map<String, Map<Integer, Map<String, Object>>> curves = new LinkedHashMap<>();
        final Deque<Map<String, Object>> events = new ArrayDeque<>();

        Job(String id) {
            this.id = id;
        }

        JobStatus status() {
            return state != null ? state.status() : JobStatus.QUEUED;
        }

        void apply(JobEvent e) {
            String stage = e.stage().orElse(null);
            Map<String, Object> d = e.data();
            switch (e.type()) {
                case JOB_ACCEPTED -> {
                    // a resubmitted job starts over: its earlier run's stages are reused, its timeline begins again
                    created = e.time();
                    stages.clear();
                    curves.clear();
                    headline = null;
                    reason = null;
                    reasons = null;
                }
                case JOB_REJECTED -> {
                    created = created == null ? e.time() : created;
                    reasons = d.get("reasons") instanceof List<?> r ? r.stream().map(String::valueOf).toList() : null;
                }
                case STAGE_QUEUED -> stage(stage).put("status", "queued");
                case STAGE_STARTED -> {
                    Map<String, Object> s = stage(stage);
                    s.put("status", "running");
                    s.put("started", e.time().toString());
                    s.remove("ended");
                    runningStage = stage;
                    lastProgress = null;
                    curves.remove(stage);
                }
                case STAGE_PROGRESS -> {
                    lastProgress = d;
                    lastProgressTime = e.time();
                    stage(stage).putIfAbsent("started", e.time().toString());
                    curvePoint(stage, d);
                }
                case STAGE_COMPLETED -> {
                    Map<String, Object> s = stage(stage);
                    s.put("status", "completed");
                    s.put("ended", e.time().toString());
                    s.put("seconds", d.get("seconds"));
                    s.put("summary", d.get("summary"));
                    if ("pretrain".equals(stage) && d.get("summary") instanceof Map<?, ?> sum
                            && sum.get("accuracy") instanceof Number a) {
                        baselineAccuracy = a.doubleValue();
                    }
                    lastProgress = null;
                }
                case JOB_COMPLETED -> headline = d.get("headline") instanceof Map<?, ?> h ? copy(h) : null;
                case JOB_FAILED -> {
                    reason = String.valueOf(d.getOrDefault("reason", "unknown"));
                    if (stage != null) {
                        stage(stage).put("status", "failed");
                        stage(stage).put("ended", e.time().toString());
                    }
                }
                default -> {
                    // no other event changes the board
                }
            }
        }

        private Map<String, Object> stage(String name) {
            return stages.computeIfAbsent(name == null ? "?" : name, n -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("name", n);
                return s;
            });
        }

        /** The training metrics of an epoch: the last progress event of each epoch carries them. */
        private void curvePoint(String stage, Map<String, Object> d) {
            if (!(d.get("epoch") instanceof Number epoch) || !(d.get("loss") instanceof Number)) {
                return;
            }
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("epoch", epoch.intValue());
            point.put("loss", d.get("loss"));
            point.put("accuracy", d.get("accuracy"));
            point.put("sparsity", d.get("sparsity"));
            curves.computeIfAbsent(stage, s -> new java.util.TreeMap<>()).put(epoch.intValue(), point);
        }

        List<Map<String, Object>> timeline() {
            List<Map<String, Object>> out = new ArrayList<>();
            stages.values().forEach(s -> out.add(new LinkedHashMap<>(s)));
            return out;
        }

        /** The running stage's progress: the latest figures, the fraction done and an ETA from the stage's pace. */
        Map<String, Object> progress() {
            if (lastProgress == null || runningStage == null) {
                return runningStage == null ? null : Map.of("stage", runningStage);
            }
            Map<String, Object> p = new LinkedHashMap<>(lastProgress);
            p.put("stage", runningStage);
            p.put("time", lastProgressTime.toString());
            double fraction = fraction(lastProgress);
            if (fraction >= 0) {
                p.put("fraction", fraction);
                Object started = stages.getOrDefault(runningStage, Map.of()).get("started");
                if (started instanceof String t && fraction > 0.001) {
                    double elapsed = Duration.between(Instant.parse(t), lastProgressTime).toMillis() / 1000.0;
                    p.put("etaSeconds", Math.max(0, elapsed * (1 - fraction) / fraction));
                }
            }
            return p;
        }

        private static double fraction(Map<String, Object> d) {
            if (d.get("epoch") instanceof Number e && d.get("epochs") instanceof Number es && es.intValue() > 0
                    && d.get("iteration") instanceof Number i && d.get("iterations") instanceof Number is
                    && is.intValue() > 0) {
                double done = (e.intValue() - 1) * is.doubleValue() + i.doubleValue();
                return Math.min(1, Math.max(0, done / (es.doubleValue() * is.doubleValue())));
            }
            return -1;
        }

        private static Map<String, Object> copy(Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
    }
}
