package io.penni.dashboard.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.penni.workflow.CloudEvents;
import io.penni.workflow.KafkaClassLoading;
import io.penni.workflow.Topics;
import io.penni.workflow.WorkflowJson;

/**
 * Feeds the {@link JobBoard} from Kafka: the job table and the events topic, every partition assigned and read
 * from the beginning (committed records only, as the stage workers publish in transactions), then live. It owns no
 * consumer group and commits nothing, like the CLI's readers, so it leaves nothing behind in the cluster. A
 * failure (the broker away) is logged once and the reader starts again after a pause.
 */
final class BoardFeed implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(BoardFeed.class);

    private final Map<String, Object> clientProperties;
    private final JobBoard board;
    private volatile boolean running = true;
    private volatile boolean caughtUp;
    private volatile KafkaConsumer<String, byte[]> consumer;

    /**
     * @param clientProperties bootstrap servers and any security settings
     * @param board where records go
     */
    BoardFeed(Map<String, Object> clientProperties, JobBoard board) {
        this.clientProperties = Map.copyOf(clientProperties);
        this.board = board;
    }

    /** @return whether everything published before the feed started has been read */
    boolean caughtUp() {
        return caughtUp;
    }

    @Override
    public void run() {
        boolean warned = false;
        while (running) {
            try {
                read();
                warned = false;
            } catch (WakeupException e) {
                return;
            } catch (KafkaException e) {
                if (!warned) {
                    LOG.warn("dashboard: reading the job table and events failed, trying again: {}", e.getMessage());
                    warned = true;
                }
                pause(2000);
            }
        }
    }

    private void read() {
        try (KafkaConsumer<String, byte[]> c = KafkaClassLoading.withKafkaLoader(this::newConsumer)) {
            consumer = c;
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.JOBS, Topics.EVENTS)) {
                List<PartitionInfo> infos = c.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    throw new KafkaException("topic " + topic + " does not exist yet");
                }
                infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = new HashMap<>(c.endOffsets(partitions));
            caughtUp = false;
            while (running) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    take(r);
                }
                if (!caughtUp) {
                    ends.entrySet().removeIf(e -> c.position(e.getKey()) >= e.getValue());
                    caughtUp = ends.isEmpty();
                }
            }
        } finally {
            consumer = null;
        }
    }

    private void take(ConsumerRecord<String, byte[]> r) {
        if (r.value() == null) {
            return; // a job table tombstone
        }
        if (r.topic().equals(Topics.JOBS)) {
            try {
                board.accept(WorkflowJson.readState(r.value()));
            } catch (IOException e) {
                LOG.debug("dashboard: skipped a job table record that is not a job state: {}", e.getMessage());
            }
        } else {
            CloudEvents.read(r.headers(), r.value()).ifPresent(board::accept);
        }
    }

    private KafkaConsumer<String, byte[]> newConsumer() {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "penni-dashboard");
        return new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** Stops the reader; it returns from {@link #run()} soon after. */
    void stop() {
        running = false;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
