package io.penni.bench.ort;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.model.ActivationShape;
import io.penni.inference.cpu.CpuEngine;
import io.penni.inference.cpu.EngineOptions;
import io.penni.model.ModelFiles;
import io.penni.model.NetworkShapes;

/**
 * One measurement in a process of its own: loads one model on one runtime, runs a seeded batch until the timing
 * settles, and prints one JSON line — latency (median, p90 over the timed runs), the process's resident memory
 * before the runtime, before the model, after loading and after the runs, its peak, and the first logits (so that
 * runtimes given the same model can be compared). Usage:
 * {@code Worker ort|engine FILE BATCH THREADS} where FILE is an {@code .onnx} file for {@code ort} and a
 * {@code model.json} for {@code engine}.
 */
public final class Worker {

    /**
     * Runs before the timed ones, until the JIT has settled: 3 s unless {@code -Dpenni.bench.warmupMillis} says
     * otherwise. After 0.6 s (the earlier warm-up) C2 was still compiling the engine's steps on the two cores, and
     * runs split over both threads waited for a descheduled worker: resnet-small's stand-in at batch 1 measured a
     * median of 0.27-0.34 ms with p90 3.0-4.6 ms, against 0.20 / 0.30 ms after 4 s (one process each, twice, a
     * training job beside them). ONNX Runtime's medians on the dense model measured alike either way (0.42 / 0.43
     * ms after 0.6 s, 0.37 / 0.45 after 3 s, the same conditions).
     */
    private static final Duration WARMUP = Duration.ofMillis(Long.getLong("penni.bench.warmupMillis", 3000));
    private static final Duration TIMED = Duration.ofMillis(2000);
    private static final int MIN_RUNS = 10;
    private static final int MAX_RUNS = 400;

    private Worker() {
    }

    /** What a runtime must do for the worker. */
    private interface Runner extends AutoCloseable {
        float[] run() throws Exception;
    }

    /**
     * @param args runtime, model file, batch, threads
     * @throws Exception when the model cannot be loaded or run
     */
    public static void main(String[] args) throws Exception {
        String runtime = args[0];
        Path file = Path.of(args[1]);
        int batch = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rssStartKb", Memory.rssKb());
        try (Runner runner = runtime.equals("ort") ? ort(file, batch, threads, out) : engine(file, batch, threads, out)) {
            out.put("rssAfterLoadKb", Memory.rssKb());
            float[] first = runner.run();
            long warmupEnd = System.nanoTime() + WARMUP.toNanos();
            while (System.nanoTime() < warmupEnd) {
                runner.run();
            }
            List<Double> times = new ArrayList<>();
            long timedEnd = System.nanoTime() + TIMED.toNanos();
            while (times.size() < MIN_RUNS || (System.nanoTime() < timedEnd && times.size() < MAX_RUNS)) {
                long t0 = System.nanoTime();
                runner.run();
                times.add((System.nanoTime() - t0) / 1e6);
            }
            double[] sorted = times.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            out.put("runs", sorted.length);
            out.put("medianMs", sorted[sorted.length / 2]);
            out.put("p90Ms", sorted[(int) Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]);
            out.put("rssAfterRunsKb", Memory.rssKb());
            out.put("peakRssKb", Memory.peakKb());
            out.put("firstLogits", Arrays.copyOf(first, Math.min(first.length, 10)));
        }
        System.out.println(new ObjectMapper().writeValueAsString(out));
    }

    /** A seeded batch of N(0, 1) images, the same for every runtime given the same shape. */
    static float[] images(ActivationShape shape, int batch) {
        float[] x = new float[batch * shape.channels() * shape.height() * shape.width()];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) gaussian(random);
        }
        return x;
    }

    private static double gaussian(SplittableRandom random) {
        double u = random.nextDouble(Double.MIN_VALUE, 1);
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static Runner ort(Path file, int batch, int threads, Map<String, Object> out)
            throws OrtException, IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        out.put("rssBeforeLoadKb", Memory.rssKb());
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        OrtSession session = env.createSession(Files.readAllBytes(file), options);
        long[] dims = ((TensorInfo) session.getInputInfo().values().iterator().next().getInfo()).getShape().clone();
        dims[0] = batch;
        ActivationShape shape = new ActivationShape((int) dims[1], (int) dims[2], (int) dims[3]);
        String input = session.getInputNames().iterator().next();
        OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(images(shape, batch)), dims);
        return new Runner() {
            @Override
            public float[] run() throws OrtException {
                try (OrtSession.Result result = session.run(Map.of(input, tensor))) {
                    OnnxTensor logits = (OnnxTensor) result.get(0);
                    FloatBuffer b = logits.getFloatBuffer();
                    float[] values = new float[b.remaining()];
                    b.get(values);
                    return values;
                }
            }

            @Override
            public void close() throws OrtException {
                tensor.close();
                session.close();
                options.close();
            }
        };
    }

    private static Runner engine(Path file, int batch, int threads, Map<String, Object> out) {
        if (threads != Runtime.getRuntime().availableProcessors()) {
            throw new IllegalArgumentException("the engine runs on every core here (" + Runtime.getRuntime()
                    .availableProcessors() + "), not " + threads);
        }
        CpuEngine engine = new CpuEngine(EngineOptions.defaults());
        out.put("rssBeforeLoadKb", Memory.rssKb());
        var model = ModelFiles.load(file);
        ActivationShape shape = NetworkShapes.input(model.network());
        LoadOutcome outcome = engine.load(model);
        if (!(outcome instanceof LoadOutcome.Loaded loaded)) {
            throw new IllegalStateException("the engine cannot run " + file + ": " + outcome);
        }
        LoadedModel running = loaded.model();
        float[] x = images(shape, batch);
        return new Runner() {
            @Override
            public float[] run() {
                return running.run(x, batch);
            }

            @Override
            public void close() {
                running.close();
                engine.close();
            }
        };
    }
}
