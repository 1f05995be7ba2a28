package io.penni.trainer;

import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import io.penni.api.model.Model;
import io.penni.datasets.Batch;
import io.penni.datasets.Batches;
import io.penni.datasets.ImageSet;
import io.penni.datasets.Normalization;

/** Runs a model over a test split in inference mode and scores its logits. */
public final class Evaluator {

    private Evaluator() {
    }

    /**
     * Evaluates a model.
     *
     * @param model the model
     * @param test the test images
     * @param normalization the training set's normalisation
     * @param batchSize images per forward pass
     * @return top-1, top-5 and loss
     */
    public static TestAccuracy evaluate(Model model, ImageSet test, Normalization normalization, int batchSize) {
        long started = System.nanoTime();
        ModelGraph graph = ModelGraph.build(model, ModelGraph.Mode.INFER, DataType.FLOAT);
        Score score = new Score();
        NativeMemoryGuard memory = new NativeMemoryGuard(NativeMemoryGuard.DEFAULT_HEADROOM);
        var batches = Batches.evaluation(test, normalization, batchSize);
        while (batches.hasNext()) {
            Batch batch = batches.next();
            INDArray input = Nd4j.create(batch.images(), new long[] {batch.size(), test.channels(), test.height(),
                    test.width()}, 'c');
            INDArray logits = graph.sameDiff().output(Map.of(ModelGraph.INPUT, input), List.of(ModelGraph.LOGITS))
                    .get(ModelGraph.LOGITS);
            score.add(logits.castTo(DataType.FLOAT).data().asFloat(), batch.labels(), batch.size(), graph.classes());
            memory.afterStep();
        }
        return new TestAccuracy(score.top1(), score.top5(), score.loss(), (int) score.images,
                (System.nanoTime() - started) / 1e9);
    }

    /** Accumulates accuracy and cross-entropy over batches of logits. */
    static final class Score {
        private long images;
        private long correct1;
        private long correct5;
        private double lossSum;

        void add(float[] logits, int[] labels, int batch, int classes) {
            for (int b = 0; b < batch; b++) {
                int offset = b * classes;
                float label = logits[offset + labels[b]];
                if (!finite(logits, offset, classes)) {
                    // a diverged model is wrong on every image, not right because NaN compares false
                    lossSum += Double.NaN;
                    images++;
                    continue;
                }
                int higher = 0;
                float max = Float.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    float v = logits[offset + c];
                    max = Math.max(max, v);
                    if (v > label || (v == label && c < labels[b])) {
                        higher++;
                    }
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    sum += Math.exp(logits[offset + c] - max);
                }
                lossSum += Math.log(sum) + max - label;
                if (higher == 0) {
                    correct1++;
                }
                if (higher < 5) {
                    correct5++;
                }
                images++;
            }
        }

        private static boolean finite(float[] values, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                if (!Float.isFinite(values[i])) {
                    return false;
                }
            }
            return true;
        }

        double top1() {
            return images == 0 ? 0 : (double) correct1 / images;
        }

        double top5() {
            return images == 0 ? 0 : (double) correct5 / images;
        }

        double loss() {
            return images == 0 ? 0 : lossSum / images;
        }

        long correct1() {
            return correct1;
        }
    }
}
