package io.penni.workflow.internal;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Tests that run the workflow against a real broker of their own, one per test, with the workflow's topics. */
abstract class RealBrokerTest {

    @TempDir
    Path folder;
    WorkflowHarness kafka;

    @BeforeEach
    void startBroker() throws Exception {
        kafka = new WorkflowHarness(folder);
        kafka.topics(1);
    }

    @AfterEach
    void stopBroker() throws Exception {
        kafka.close();
    }
}
