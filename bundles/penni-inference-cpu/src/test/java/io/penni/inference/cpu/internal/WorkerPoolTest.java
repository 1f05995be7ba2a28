package io.penni.inference.cpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.Test;

class WorkerPoolTest {

    @Test
    void everyTaskRunsExactlyOnceAcrossManyLoops() {
        try (WorkerPool pool = new WorkerPool(2)) {
            AtomicIntegerArray counts = new AtomicIntegerArray(5);
            for (int loop = 0; loop < 2000; loop++) {
                pool.run(5, counts::incrementAndGet);
            }
            for (int i = 0; i < 5; i++) {
                assertEquals(2000, counts.get(i));
            }
        }
    }

    @Test
    void aTaskFailureIsRethrownToTheCaller() {
        try (WorkerPool pool = new WorkerPool(2)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.run(2, i -> {
                if (i == 1) {
                    throw new IllegalStateException("task 1 failed");
                }
            }));
            assertEquals("task 1 failed", e.getMessage());
        }
    }
}
