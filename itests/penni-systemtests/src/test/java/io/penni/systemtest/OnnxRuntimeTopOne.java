package io.penni.systemtest;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.penni.api.job.DatasetSpec;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.pipeline.CompressionRequests;

/**
 * A job's {@code model.onnx} run by ONNX Runtime, as a user would deploy it, on the test images its report was
 * measured on (the request's data set and limits, normalised by the training split as the evaluate stage does).
 */
final class OnnxRuntimeTopOne {

    private OnnxRuntimeTopOne() {
    }

    /**
     * @param onnx the exported model
     * @param request the job's request
     * @return how many test images it classifies right, and how many there were
     */
    static int[] correct(Path onnx, JsonNode request) throws Exception {
        DatasetSpec spec = CompressionRequests.read(request, "onnx-check").dataset();
        DataSplit data = DatasetLoader.load(spec, Path.of("/usr/share/datasets"));
        BatchIterator batches = Batches.evaluation(data.test(), Normalization.of(data.train()), 64);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int right = 0;
        int seen = 0;
        try (OrtSession session = env.createSession(Files.readAllBytes(onnx), new OrtSession.SessionOptions())) {
            String input = session.getInputNames().iterator().next();
            long[] shape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
            while (batches.hasNext()) {
                Batch batch = batches.next();
                long[] dims = {batch.size(), shape[1], shape[2], shape[3]};
                try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch.images(), 0,
                        (int) (batch.size() * shape[1] * shape[2] * shape[3])), dims);
                        OrtSession.Result result = session.run(Map.of(input, x))) {
                    float[][] logits = (float[][]) result.get(0).getValue();
                    for (int i = 0; i < batch.size(); i++) {
                        int best = 0;
                        for (int c = 1; c < logits[i].length; c++) {
                            if (logits[i][c] > logits[i][best]) {
                                best = c;
                            }
                        }
                        right += best == batch.labels()[i] ? 1 : 0;
                        seen++;
                    }
                }
            }
        }
        return new int[] {right, seen};
    }
}
