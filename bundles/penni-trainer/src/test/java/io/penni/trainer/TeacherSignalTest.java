package io.penni.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.inference.BackendInfo;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.job.Augmentation;
import io.penni.api.model.Model;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.Normalization;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.EngineOptions;
import io.penni.model.Architectures;

/**
 * A teacher run by the CPU engine gives the soft targets the training graph in inference mode gives, on real
 * Fashion-MNIST images, cached and on the fly; a backend that cannot load the teacher leaves it on the graph.
 */
class TeacherSignalTest {

    private static final int BATCH = 32;

    @Test
    void theCpuEngineGivesTheGraphsSoftTargets() throws Exception {
        DataSplit data = FashionMnist.load(96, 0);
        Normalization normalization = Normalization.of(data.train());
        for (String architecture : new String[] {"resnet-small", "vgg-small"}) {
            Model model = Architectures.create(architecture, 11);
            try (CpuEngine engine = new CpuEngine(EngineOptions.defaults())) {
                InferenceBackend cpu = backend(engine);
                for (Teacher.Logits when : Teacher.Logits.values()) {
                    try (TeacherSignal graph = TeacherSignal.of(new Teacher(model, 0.5, 4, when), data.train(),
                            normalization, Augmentation.NONE);
                            TeacherSignal fast = TeacherSignal.of(new Teacher(model, 0.5, 4, when, cpu),
                                    data.train(), normalization, Augmentation.NONE)) {
                        assertEquals("graph", graph.runtime());
                        assertEquals(CpuEngine.BACKEND, fast.runtime());
                        BatchIterator batches = Batches.training(data.train(), normalization, Augmentation.NONE,
                                BATCH, 5, 0);
                        for (int i = 0; i < batches.batchCount(); i++) {
                            Batch batch = batches.next();
                            INDArray images = Nd4j.create(batch.images(), new long[] {batch.size(), 1, 28, 28}, 'c');
                            float[] expected = graph.probabilities(batches, i, images).data().asFloat();
                            float[] actual = fast.probabilities(batches, i, images).data().asFloat();
                            assertArrayEquals(expected, actual, 1e-5f, architecture + ", " + when + ", batch " + i);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aTeacherTheBackendCannotLoadRunsOnTheGraph() throws Exception {
        DataSplit data = FashionMnist.load(32, 0);
        InferenceBackend refusing = new InferenceBackend() {
            @Override
            public BackendInfo info() {
                throw new AssertionError("not asked for a model it refused");
            }

            @Override
            public LoadOutcome load(Model model) {
                return new LoadOutcome.Unsupported("no such layer here");
            }
        };
        Teacher teacher = new Teacher(Architectures.create("vgg-small", 12), 0.5, 2, Teacher.Logits.ON_THE_FLY,
                refusing);
        try (TeacherSignal signal = TeacherSignal.of(teacher, data.train(), Normalization.of(data.train()),
                Augmentation.NONE)) {
            assertEquals("graph", signal.runtime());
        }
    }

    private static InferenceBackend backend(CpuEngine engine) {
        return new InferenceBackend() {
            @Override
            public BackendInfo info() {
                return engine.info();
            }

            @Override
            public LoadOutcome load(Model model) {
                return engine.load(model);
            }
        };
    }
}
