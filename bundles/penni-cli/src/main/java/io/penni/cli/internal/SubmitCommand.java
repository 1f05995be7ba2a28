package io.penni.cli.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.penni.pipeline.CompressionRequests;
import io.penni.workflow.Topics;

/**
 * {@code penni submit FILE|- [--follow] [--timeout T] [--bootstrap HOST:PORT]}: publishes a compression request
 * to {@code penni.requests}, keyed by its {@code jobId} (a new UUID when it names none), and prints the job id. Only
 * JSON syntax is checked here; the server validates the request fully and answers with an accepted or rejected
 * event, which {@code --follow} shows.
 */
public final class SubmitCommand implements Command {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A request ready to publish.
     *
     * @param jobId the job id it names, or a new one
     * @param bytes the request exactly as read
     */
    public record Submission(String jobId, byte[] bytes) {
    }

    @Override
    public List<String> path() {
        return List.of("submit");
    }

    @Override
    public String arguments() {
        return "FILE|- [--follow] [--timeout 30m] [--bootstrap HOST:PORT]";
    }

    @Override
    public String description() {
        return "publish a compression request (a file, or - for standard input) and print its job id";
    }

    @Override
    public int run(List<String> args, PrintStream out) {
        Arguments a = Arguments.parse("submit", arguments(), args, Set.of("--follow"),
                Set.of("--timeout", "--bootstrap"));
        String source = a.exactly(1, "one request file, or - for standard input").get(0);
        Submission submission = read(source, System.in);
        KafkaTarget target = KafkaTarget.forThisProcess(a.option("--bootstrap"));
        List<String> topics = a.flag("--follow") ? List.of(Topics.REQUESTS, Topics.EVENTS) : List.of(Topics.REQUESTS);
        try (KafkaSession session = KafkaSession.open(target, topics)) {
            // where the events end before publishing: --follow starts there, so an earlier job of the same id
            // is not taken for this one
            Map<TopicPartition, Long> before = a.flag("--follow") ? JobEventFeed.endOffsets(session) : Map.of();
            publish(session, submission);
            out.println(submission.jobId());
            out.flush();
            if (!a.flag("--follow")) {
                return 0;
            }
            try (JobEventFeed feed = JobEventFeed.from(session, submission.jobId(), before)) {
                return JobFollower.follow(session, feed, submission.jobId(), out, FollowPrinter.forThisProcess(),
                        a.duration("--timeout"));
            }
        }
    }

    /**
     * Reads a request and picks its job id.
     *
     * @param source a file name, or {@code -}
     * @param stdin standard input, read when the source is {@code -}
     * @return the submission
     * @throws CliException when it cannot be read or is not a JSON object
     */
    public static Submission read(String source, InputStream stdin) {
        String name = source.equals("-") ? "standard input" : source;
        byte[] bytes;
        try {
            bytes = source.equals("-") ? stdin.readAllBytes() : Files.readAllBytes(Path.of(source));
        } catch (NoSuchFileException e) {
            throw new CliException("submit: " + name + ": no such file", CliException.FAILED);
        } catch (IOException e) {
            throw new CliException("submit: " + name + ": cannot read it: " + e.getMessage(), CliException.FAILED);
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CliException("submit: " + name + " is not JSON" + CompressionRequests.syntaxError(e),
                    CliException.FAILED);
        } catch (IOException e) {
            throw new CliException("submit: " + name + ": cannot read it: " + e.getMessage(), CliException.FAILED);
        }
        if (root == null || !root.isObject()) {
            throw new CliException("submit: " + name + " is not a JSON object; a request is {\"model\": ..., "
                    + "\"dataset\": ...} (see the README)", CliException.FAILED);
        }
        String jobId = root.path("jobId").isTextual() && !root.get("jobId").asText().isBlank()
                ? root.get("jobId").asText() : UUID.randomUUID().toString();
        return new Submission(jobId, bytes);
    }

    private static void publish(KafkaSession session, Submission submission) {
        try (KafkaProducer<String, byte[]> producer = session.producer()) {
            producer.send(new ProducerRecord<>(Topics.REQUESTS, submission.jobId(), submission.bytes()))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new CliException("submit: Kafka at " + session.target().bootstrap() + " did not take the request: "
                    + e.getCause().getMessage(), CliException.FAILED);
        } catch (TimeoutException e) {
            throw new CliException("submit: Kafka at " + session.target().bootstrap()
                    + " did not confirm the request within 30 s", CliException.FAILED);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("submit: interrupted while publishing", CliException.FAILED);
        }
    }
}
