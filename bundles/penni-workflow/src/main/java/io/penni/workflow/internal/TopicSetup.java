package io.penni.workflow.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import io.penni.workflow.Topics;

/** Creates the server's topics at start-up (those that exist are left as they are). */
final class TopicSetup {

    private TopicSetup() {
    }

    /**
     * @param admin an admin client
     * @param topics the topics to have
     * @param partitions partitions of each new topic
     * @param replication replication factor of each new topic
     * @throws IllegalStateException when the cluster refuses or does not answer
     */
    static void ensure(Admin admin, List<String> topics, int partitions, short replication) {
        try {
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String topic : topics) {
                if (!existing.contains(topic)) {
                    NewTopic t = new NewTopic(topic, topic.equals(Topics.REQUESTS_DLQ) ? 1 : partitions, replication);
                    if (topic.equals(Topics.JOBS)) {
                        t.configs(Map.of("cleanup.policy", "compact", "min.cleanable.dirty.ratio", "0.1"));
                    }
                    missing.add(t);
                }
            }
            if (!missing.isEmpty()) {
                try {
                    admin.createTopics(missing).all().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e; // another container created them at the same moment otherwise
                    }
                }
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot create the topics " + topics + ": " + e.getCause().getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within 30 s while creating the topics", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the topics", e);
        }
    }
}
