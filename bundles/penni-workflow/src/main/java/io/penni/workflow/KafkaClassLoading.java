package io.penni.workflow;

import java.util.function.Supplier;

import org.apache.kafka.clients.producer.KafkaProducer;

/**
 * kafka-clients resolves some classes by name through the thread's context class loader; inside an OSGi framework
 * that loader must be the kafka-clients bundle's while a client is built. Every bundle that builds clients (the
 * workflow, the dashboard, the in-framework tests) does it through here.
 */
public final class KafkaClassLoading {

    private KafkaClassLoading() {
    }

    /**
     * Builds a Kafka client with the kafka-clients bundle's class loader as the thread's context class loader.
     *
     * @param <T> the client's type
     * @param create builds the client
     * @return the client
     */
    public static <T> T withKafkaLoader(Supplier<T> create) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KafkaProducer.class.getClassLoader());
        try {
            return create.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
