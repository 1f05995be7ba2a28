package io.penni.itest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.junit5.context.BundleContextExtension;
import org.osgi.test.junit5.service.ServiceExtension;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.job.Augmentation;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.DatasetSpec;
import io.penni.api.job.EvaluationSpec;
import io.penni.api.job.ModelSource;
import io.penni.api.job.PenniParameters;
import io.penni.api.job.PruningSpec;
import io.penni.api.job.TrainingSchedule;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.PruningSummary;
import io.penni.api.stage.StageProgress;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelFiles;
import io.penni.model.ReferenceForward;
import io.penni.shrinker.ShrinkPlan;

/**
 * The compression feature inside the container: the decompose, prune and shrink stages are services, the
 * std-threshold strategy is found by name, and running the three in sequence through the container's artifact
 * store gives a shrunk model with the pruned model's outputs.
 */
@ExtendWith({BundleContextExtension.class, ServiceExtension.class})
class CompressionInFrameworkTest {

    private static final long PATIENCE_MS = 30_000;

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = PATIENCE_MS)
    ArtifactStore store;

    @InjectService(filter = "(penni.stage=decompose)", timeout = PATIENCE_MS)
    CompressionStage decompose;

    @InjectService(filter = "(penni.stage=prune)", timeout = PATIENCE_MS)
    CompressionStage prune;

    @InjectService(filter = "(penni.stage=shrink)", timeout = PATIENCE_MS)
    CompressionStage shrink;

    @InjectService(filter = "(penni.strategy=std-threshold)", timeout = PATIENCE_MS)
    PruningStrategy std;

    /** A job's context over the container's artifact store. */
    private record Job(CompressionRequest request, Map<String, ArtifactRef> inputs, ArtifactStore artifacts,
            Path workDir) implements StageContext {
        @Override
        public void progress(StageProgress progress) {
            // the stages' notes are not what this test checks
        }

        @Override
        public boolean cancelled() {
            return false;
        }
    }

    @Test
    void eachCompressionStageIsOneServiceNamedByItsStageProperty() throws InvalidSyntaxException {
        for (String stage : List.of("decompose", "prune", "shrink")) {
            assertEquals(1, context.getServiceReferences(CompressionStage.class, "(penni.stage=" + stage + ")")
                    .size(), stage);
        }
        assertEquals(Map.of("s", "1.0"), std.parameters());
    }

    @Test
    void decomposePruneAndShrinkInSequenceGiveAShrunkModelWithThePrunedOutputs() throws IOException {
        String jobId = "itest-" + UUID.randomUUID();
        CompressionRequest request = new CompressionRequest(jobId, new ModelSource.BuiltIn("vgg-small", 5),
                new DatasetSpec("fashion-mnist", "fashion-mnist", Augmentation.NONE, 0, 0), TrainingSchedule.paper(0),
                new PenniParameters(5, 1e-4, 5, TrainingSchedule.paper(1), TrainingSchedule.paper(1)),
                new PruningSpec(Optional.of("std-threshold"), Map.of("s", "1.0")),
                new EvaluationSpec(List.of("cpu"), List.of(1), 0, 1), 5);
        Map<String, ArtifactRef> input = ModelArtifacts.save(store, jobId, "input", withDeadFilters(),
                store.workDir(jobId, "input"));

        Map<String, ArtifactRef> decomposed = completed(decompose, request, input, "decompose").outputs();
        StageOutcome.Completed pruned = completed(prune, request, decomposed, "prune");
        assertEquals("io.penni.strategy-std", assertInstanceOf(PruningSummary.class, pruned.summary()).bundle());
        StageOutcome.Completed shrunk = completed(shrink, request, pruned.outputs(), "shrink");

        Model before = ModelFiles.load(store.open(pruned.outputs().get("model")));
        Model after = ModelFiles.load(store.open(shrunk.outputs().get("model")));
        ShrinkPlan plan = ShrinkPlan.fromJson(Files.readAllBytes(
                store.open(shrunk.outputs().get("plan"))), "plan.json");
        assertTrue(plan.layer("conv3").orElseThrow().outputs().after() <= 60, plan.layer("conv3").toString());
        Tensor images = images();
        float[] x = ReferenceForward.forward(before, images).data();
        float[] y = ReferenceForward.forward(after, images).data();
        for (int i = 0; i < x.length; i++) {
            assertEquals(x[i], y[i], 1e-4, "logit " + i);
        }
    }

    private StageOutcome.Completed completed(CompressionStage stage, CompressionRequest request,
            Map<String, ArtifactRef> inputs, String name) throws IOException {
        StageOutcome outcome = stage.run(new Job(request, inputs, store, store.workDir(request.jobId(), name)));
        return assertInstanceOf(StageOutcome.Completed.class, outcome, name + ": " + outcome);
    }

    /** vgg-small whose conv3 has four all-zero filters: their coefficients decompose to exactly zero. */
    private static Model withDeadFilters() {
        Model model = Architectures.create("vgg-small", 5);
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        float[] weight = parameters.get("conv3.weight").data().clone();
        Arrays.fill(weight, 0, 4 * 32 * 9, 0f);
        parameters.put("conv3.weight", new Tensor(new int[] {64, 32, 3, 3}, weight));
        return new Model(model.network(), parameters);
    }

    private static Tensor images() {
        SplittableRandom random = new SplittableRandom(2);
        float[] data = new float[2 * 28 * 28];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) random.nextGaussian();
        }
        return new Tensor(new int[] {2, 1, 28, 28}, data);
    }
}
