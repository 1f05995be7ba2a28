package io.penni.dashboard.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Server-sent event streams of the board: one of every job's summary ({@code event: job}), or one job's summary and
 * events ({@code event: job}, {@code event: event}). A stream opens with what is known now ({@code event: jobs} or
 * {@code event: detail}), so a page needs no second request and misses nothing between the two. Changes are
 * written on one thread of this class, never on the Kafka reader's; a comment line every 15 s keeps proxies and
 * the browser from closing an idle stream, and finds clients that went away.
 */
final class EventStreams implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final ExecutorService writer = Executors.newSingleThreadExecutor(r -> daemon(r, "penni-dashboard-sse"));
    private final ScheduledExecutorService heartbeat =
            Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "penni-dashboard-sse-heartbeat"));

    EventStreams() {
        heartbeat.scheduleAtFixedRate(() -> writer.execute(() -> streams.forEach(s -> s.send(": keep-alive\n\n"))),
                15, 15, TimeUnit.SECONDS);
    }

    /**
     * Opens a stream on an asynchronous request.
     *
     * @param async the request's async context
     * @param jobId the job to follow, or empty for every job's summary
     * @param firstName the name of the event that opens the stream ({@code jobs} or {@code detail})
     * @param first that event's data
     * @throws IOException when the response cannot be written
     */
    void open(AsyncContext async, Optional<String> jobId, String firstName, Object first) throws IOException {
        async.setTimeout(0);
        HttpServletResponse response = (HttpServletResponse) async.getResponse();
        response.setStatus(200);
        response.setContentType("text/event-stream");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setHeader("Cache-Control", "no-cache");
        response.setHeader("X-Accel-Buffering", "no");
        Stream stream = new Stream(async, response.getWriter(), jobId);
        writer.execute(() -> {
            stream.send(frame(firstName, first));
            streams.add(stream);
        });
    }

    /**
     * Tells the streams of a change (the board's listener).
     *
     * @param summary the job's new summary
     * @param event the event that changed it, if it was one
     */
    void changed(Map<String, Object> summary, Optional<Map<String, Object>> event) {
        String job = frame("job", summary);
        String ev = event.map(e -> frame("event", e)).orElse(null);
        String id = (String) summary.get("id");
        writer.execute(() -> {
            for (Stream s : streams) {
                if (s.jobId.isEmpty()) {
                    s.send(job);
                } else if (s.jobId.get().equals(id)) {
                    s.send(ev == null ? job : job + ev);
                }
            }
        });
    }

    /** @return how many streams are open */
    int size() {
        return streams.size();
    }

    private static String frame(String name, Object data) {
        try {
            return "event: " + name + "\ndata: " + JSON.writeValueAsString(data) + "\n\n";
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("board views are JSON", e);
        }
    }

    @Override
    public void close() {
        heartbeat.shutdownNow();
        writer.execute(() -> {
            streams.forEach(Stream::end);
            streams.clear();
        });
        writer.shutdown();
        try {
            writer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** One open stream. */
    private final class Stream {
        final AsyncContext async;
        final PrintWriter out;
        final Optional<String> jobId;

        Stream(AsyncContext async, PrintWriter out, Optional<String> jobId) {
            this.async = async;
            this.out = out;
            this.jobId = jobId;
        }

        void send(String text) {
            out.write(text);
            out.flush();
            if (out.checkError()) { // the client went away
                streams.remove(this);
                end();
            }
        }

        void end() {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                // already completed or timed out
            }
        }
    }
}
