package io.penni.trainer;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.job.Augmentation;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.ImageSet;
import io.penni.datasets.Normalization;

/**
 * What a distilling step is fed from its teacher: {@code softmax(teacher logits / T)} for the step's images, from
 * the teacher run on those images or from logits kept per image for the whole run (see {@link Teacher.Logits}).
 * Also computes the step's loss as reported: {@code (1 − alpha)·CE + alpha·T²·KL}.
 */
final class TeacherSignal implements AutoCloseable {
    /** Images per forward pass when the cache is filled. */
    private static final int CACHE_BATCH = 256;

    private final Teacher teacher;
    private final Forward forward;
    private final int classes;
    /** Logits per training image, {@code [count × classes]}, when cached. */
    private final float[] cache;

    /** The teacher's forward pass in inference mode: a batch's images to its logits. */
    private interface Forward extends AutoCloseable {
        float[] logits(INDArray images);

        int classes();

        /** @return which runs the teacher, for the log */
        String name();

        @Override
        void close();
    }

    private TeacherSignal(Teacher teacher, Forward forward, float[] cache) {
        this.teacher = teacher;
        this.forward = forward;
        this.classes = forward.classes();
        this.cache = cache;
    }

    /**
     * The backend's prepared model when the teacher names a backend that can run it, else the training graph in
     * inference mode.
     */
    private static Forward forward(Teacher teacher) {
        if (teacher.runtime() != null) {
            LoadOutcome outcome = teacher.runtime().load(teacher.model());
            if (outcome instanceof LoadOutcome.Loaded loaded) {
                LoadedModel model = loaded.model();
                return new Forward() {
                    @Override
                    public float[] logits(INDArray images) {
                        INDArray c = images.dataType() == DataType.FLOAT && images.ordering() == 'c' ? images
                                : images.castTo(DataType.FLOAT).dup('c');
                        int batch = (int) c.size(0);
                        float[] in = new float[(int) c.length()];
                        c.data().asNioFloat().get((int) c.offset(), in, 0, in.length);
                        return model.run(in, batch);
                    }

                    @Override
                    public int classes() {
                        return model.outputSize();
                    }

                    @Override
                    public String name() {
                        return teacher.runtime().info().name();
                    }

                    @Override
                    public void close() {
                        model.close();
                    }
                };
            }
        }
        ModelGraph graph = ModelGraph.build(teacher.model(), ModelGraph.Mode.INFER, DataType.FLOAT);
        return new Forward() {
            @Override
            public float[] logits(INDArray images) {
                return graph.sameDiff().output(Map.of(ModelGraph.INPUT, images), List.of(ModelGraph.LOGITS))
                        .get(ModelGraph.LOGITS).castTo(DataType.FLOAT).data().asFloat();
            }

            @Override
            public int classes() {
                return graph.classes();
            }

            @Override
            public String name() {
                return "graph";
            }

            @Override
            public void close() {
                // the graph holds no native resource of its own beyond its arrays
            }
        };
    }

    /** @return what runs the teacher: a backend's name, or {@code graph} */
    String runtime() {
        return forward.name();
    }

    @Override
    public void close() {
        forward.close();
    }

    /**
     * Prepares the teacher for a run; fills the cache when the run caches and does not augment.
     *
     * @param teacher the teacher and its settings
     * @param train the training images
     * @param normalization their normalisation
     * @param augmentation the run's augmentation
     * @return the signal
     */
    static TeacherSignal of(Teacher teacher, ImageSet train, Normalization normalization, Augmentation augmentation) {
        Forward forward = forward(teacher);
        if (teacher.logits() != Teacher.Logits.CACHED || !augmentation.equals(Augmentation.NONE)) {
            return new TeacherSignal(teacher, forward, null);
        }
        float[] cache = new float[Math.multiplyExact(train.count(), forward.classes())];
        BatchIterator batches = Batches.evaluation(train, normalization, CACHE_BATCH);
        NativeMemoryGuard memory = new NativeMemoryGuard(NativeMemoryGuard.DEFAULT_HEADROOM);
        int offset = 0;
        while (batches.hasNext()) {
            Batch batch = batches.next();
            float[] logits = forward.logits(images(batch, train));
            System.arraycopy(logits, 0, cache, offset, logits.length);
            offset += logits.length;
            memory.afterStep();
        }
        return new TeacherSignal(teacher, forward, cache);
    }

    /** @return whether the teacher's logits come from the cache */
    boolean cached() {
        return cache != null;
    }

    /**
     * The softened teacher probabilities for one step.
     *
     * @param batches the epoch's batches
     * @param iteration the step
     * @param images the step's images as fed to the student
     * @return {@code [batch, classes]}
     */
    INDArray probabilities(BatchIterator batches, int iteration, INDArray images) {
        float[] logits;
        if (cache != null) {
            int[] indices = batches.indices(iteration);
            logits = new float[indices.length * classes];
            for (int b = 0; b < indices.length; b++) {
                System.arraycopy(cache, indices[b] * classes, logits, b * classes, classes);
            }
        } else {
            logits = forward.logits(images);
        }
        int batch = logits.length / classes;
        return Nd4j.create(soften(logits, batch, classes, teacher.temperature()), new long[] {batch, classes}, 'c');
    }

    /**
     * The step's loss as the report shows it.
     *
     * @param crossEntropy the mean cross-entropy of the student's logits against the labels
     * @param studentLogits the student's logits
     * @param teacherProbabilities what {@link #probabilities} gave for the step
     * @return {@code (1 − alpha)·CE + alpha·T²·KL(teacher ‖ student at T)}, mean over the batch
     */
    double loss(double crossEntropy, float[] studentLogits, INDArray teacherProbabilities) {
        float[] p = teacherProbabilities.castTo(DataType.FLOAT).data().asFloat();
        double t = teacher.temperature();
        return (1 - teacher.alpha()) * crossEntropy
                + teacher.alpha() * t * t * meanKl(p, studentLogits, p.length / classes, classes, t);
    }

    /** Mean over images of KL(p ‖ softmax(z / T)), in double precision. */
    static double meanKl(float[] p, float[] z, int batch, int classes, double temperature) {
        double sum = 0;
        for (int b = 0; b < batch; b++) {
            double[] logQ = logSoftmax(z, b * classes, classes, temperature);
            for (int c = 0; c < classes; c++) {
                float pc = p[b * classes + c];
                if (pc > 0) {
                    sum += pc * (Math.log(pc) - logQ[c]);
                }
            }
        }
        return sum / batch;
    }

    /** softmax(z / T) per row, in double precision. */
    static float[] soften(float[] logits, int batch, int classes, double temperature) {
        float[] p = new float[logits.length];
        for (int b = 0; b < batch; b++) {
            double[] log = logSoftmax(logits, b * classes, classes, temperature);
            for (int c = 0; c < classes; c++) {
                p[b * classes + c] = (float) Math.exp(log[c]);
            }
        }
        return p;
    }

    /** log softmax(z / T) of one row, shifted by its maximum so that no exponential overflows. */
    private static double[] logSoftmax(float[] z, int offset, int classes, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, z[offset + c] / temperature);
        }
        double norm = 0;
        for (int c = 0; c < classes; c++) {
            norm += Math.exp(z[offset + c] / temperature - max);
        }
        double logNorm = Math.log(norm) + max;
        double[] out = new double[classes];
        for (int c = 0; c < classes; c++) {
            out[c] = z[offset + c] / temperature - logNorm;
        }
        return out;
    }

    private static INDArray images(Batch batch, ImageSet set) {
        return Nd4j.create(batch.images(), new long[] {batch.size(), set.channels(), set.height(), set.width()}, 'c');
    }
}
