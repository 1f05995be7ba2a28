package io.penni.bench.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.job.Augmentation;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Model;
import io.penni.datasets.Batch;
import io.penni.datasets.BatchIterator;
import io.penni.datasets.Batches;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;
import io.penni.trainer.Checkpoint;
import io.penni.trainer.CheckpointStore;
import io.penni.trainer.EpochReport;
import io.penni.trainer.Trainer;
import io.penni.trainer.TrainingListener;
import io.penni.trainer.TrainingRun;

/**
 * Training images/s on real Fashion-MNIST batches of 128: vgg-small dense and decomposed (d = 5) through PENNI's
 * SameDiff trainer (a whole training epoch of the real loop: optimizer, batch-norm statistics, memory guard), and
 * the same network built from DL4J's ConvolutionLayer, BatchNormalization and SubsamplingLayer, trained with its
 * own Nesterov updater. The variants run in turns, several rounds, so machine noise hits them alike.
 */
public final class ThroughputBenchmark {

    private static final int BATCH = 128;

    private ThroughputBenchmark() {
    }

    /**
     * @param args {@code OUTPUT.json [rounds] [images per measurement]}
     */
    public static void main(String[] args) throws Exception {
        Path output = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int images = args.length > 2 ? Integer.parseInt(args[2]) : 5120;
        DataSplit data = DatasetLoader.load(new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, images,
                256), Path.of("/usr/share/datasets"));
        Normalization normalization = Normalization.of(data.train());
        Model dense = Architectures.create("vgg-small", 1);
        Model decomposed = BasisDecomposer.decompose(dense, DecompositionSettings.paper()).model();
        MultiLayerNetwork dl4j = dl4jVggSmall();

        Map<String, List<Double>> samples = new LinkedHashMap<>();
        samples.put("samediff-dense", new ArrayList<>());
        samples.put("samediff-decomposed", new ArrayList<>());
        samples.put("dl4j-convolutionlayer", new ArrayList<>());
        // warm-up of every variant, not recorded
        samediff(dense, data, normalization, 1);
        samediff(decomposed, data, normalization, 1);
        dl4j(dl4j, data, normalization, Math.min(images, 20 * BATCH));
        for (int round = 0; round < rounds; round++) {
            samples.get("samediff-dense").add(samediff(dense, data, normalization, round + 2));
            samples.get("samediff-decomposed").add(samediff(decomposed, data, normalization, round + 2));
            samples.get("dl4j-convolutionlayer").add(dl4j(dl4j, data, normalization, images));
            System.out.printf(Locale.ROOT, "round %d: dense %.0f, decomposed %.0f, dl4j %.0f images/s%n", round + 1,
                    last(samples, "samediff-dense"), last(samples, "samediff-decomposed"),
                    last(samples, "dl4j-convolutionlayer"));
        }
        write(output, samples, rounds, images);
    }

    /** One epoch of the real training loop over the images; its measured throughput. */
    static double samediff(Model model, DataSplit data, Normalization normalization, int seed) throws IOException {
        TrainingRun run = new TrainingRun("benchmark", new TrainingSchedule(1, 0.01, List.of(), 0.1, BATCH, 0.9, true,
                1e-4), OptionalInt.empty(), 0, Map.of(), Augmentation.NONE, seed, 0);
        List<EpochReport> reports = new Trainer(run, new CheckpointStore() {
            @Override
            public Optional<Checkpoint> latest() {
                return Optional.empty();
            }

            @Override
            public void save(Checkpoint checkpoint) {
            }
        }, new TrainingListener() { }, () -> false).train(model, data, normalization).history();
        return reports.get(0).imagesPerSecond();
    }

    private static double dl4j(MultiLayerNetwork network, DataSplit data, Normalization normalization, int images) {
        BatchIterator batches = Batches.training(data.train(), normalization, Augmentation.NONE, BATCH, 7, 0);
        List<DataSet> sets = new ArrayList<>();
        int n = 0;
        while (batches.hasNext() && n < images) {
            Batch b = batches.next();
            var features = Nd4j.create(b.images(), new long[] {b.size(), 1, 28, 28}, 'c');
            var labels = Nd4j.zeros(DataType.FLOAT, b.size(), 10);
            for (int i = 0; i < b.size(); i++) {
                labels.putScalar(i, b.labels()[i], 1f);
            }
            sets.add(new DataSet(features, labels));
            n += b.size();
        }
        long started = System.nanoTime();
        for (DataSet set : sets) {
            network.fit(set);
        }
        return n / ((System.nanoTime() - started) / 1e9);
    }

    /** vgg-small, layer for layer, in DL4J's ConvolutionLayer API. */
    static MultiLayerNetwork dl4jVggSmall() {
        var b = new NeuralNetConfiguration.Builder().seed(1).updater(new Nesterovs(0.01, 0.9)).l2(1e-4)
                .weightInit(WeightInit.RELU).dataType(DataType.FLOAT).list();
        int[][] stages = {{32, 32}, {64, 64}, {128, 128}};
        for (int[] stage : stages) {
            for (int channels : stage) {
                b.layer(new ConvolutionLayer.Builder(3, 3).nOut(channels).padding(1, 1).stride(1, 1).hasBias(false)
                        .activation(Activation.IDENTITY).build());
                b.layer(new BatchNormalization.Builder().build());
                b.layer(new ActivationLayer.Builder().activation(Activation.RELU).build());
            }
            b.layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build());
        }
        b.layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).dropOut(0.5).build());
        b.layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build());
        MultiLayerConfiguration conf = b.setInputType(InputType.convolutional(28, 28, 1)).build();
        MultiLayerNetwork network = new MultiLayerNetwork(conf);
        network.init();
        return network;
    }

    private static double last(Map<String, List<Double>> samples, String key) {
        List<Double> l = samples.get(key);
        return l.get(l.size() - 1);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void write(Path output, Map<String, List<Double>> samples, int rounds, int images) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("benchmark", "training-throughput");
        root.put("date", Instant.now().toString());
        root.put("network", "vgg-small (28x28x1, 6 conv + BN, batch " + BATCH + ")");
        root.put("data", images + " Fashion-MNIST training images per measurement");
        root.put("rounds", rounds);
        root.put("cpus", Runtime.getRuntime().availableProcessors());
        root.put("loadAverageAtEnd", Files.readString(Path.of("/proc/loadavg")).trim());
        ObjectNode variants = root.putObject("variants");
        samples.forEach((k, v) -> {
            ObjectNode o = variants.putObject(k);
            ArrayNode a = o.putArray("imagesPerSecond");
            v.forEach(a::add);
            o.put("median", median(v));
        });
        double dense = median(samples.get("samediff-dense"));
        double decomposed = median(samples.get("samediff-decomposed"));
        double reference = median(samples.get("dl4j-convolutionlayer"));
        ObjectNode ratios = root.putObject("ratios");
        ratios.put("denseOverDl4j", dense / reference);
        ratios.put("decomposedOverDense", decomposed / dense);
        Files.createDirectories(output.getParent());
        json.writerWithDefaultPrettyPrinter().writeValue(output.toFile(), root);
        System.out.printf(Locale.ROOT, "median images/s: dense %.0f, decomposed %.0f, DL4J ConvolutionLayer %.0f; "
                + "dense/DL4J %.2fx, decomposed/dense %.2fx%n", dense, decomposed, reference, dense / reference,
                decomposed / dense);
    }
}
