package io.penni.pruner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.model.Model;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.PruningSummary;
import io.penni.artifacts.testing.LocalJob;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelFiles;
import io.penni.pruner.MagnitudeStrategy;
import io.penni.pruner.MaskFiles;
import io.penni.pruner.ParameterMasks;

class PruneJobTest {

    private static final PruneJob.Provenance MAGNITUDE = new PruneJob.Provenance("magnitude", "io.penni.test", "1.2.3");

    @TempDir
    Path dir;

    private LocalJob job(Map<String, String> parameters, Map<String, ArtifactRef> extraInputs) throws IOException {
        return decomposedJob(dir, new PruningSpec(Optional.of("magnitude"), parameters), extraInputs);
    }

    /**
     * A prune stage's job {@code job-2}: a decomposed vgg-small stored as the decompose stage's output.
     *
     * @param dir the job's folder
     * @param pruning the request's pruning
     * @param extraInputs inputs beside the model
     * @return the job
     * @throws IOException when the model cannot be stored
     */
    static LocalJob decomposedJob(Path dir, PruningSpec pruning, Map<String, ArtifactRef> extraInputs)
            throws IOException {
        LocalJob job = LocalJob.in(dir, "job-2", 5, pruning);
        Model decomposed = BasisDecomposer.decompose(Architectures.create("vgg-small", 4),
                DecompositionSettings.paper()).model();
        Map<String, ArtifactRef> inputs = new LinkedHashMap<>(
                ModelArtifacts.save(job.artifacts(), "job-2", "decompose", decomposed, job.workDir()));
        inputs.putAll(extraInputs);
        return job.withInputs(inputs);
    }

    @Test
    void storesTheModelAndTheMasksAndSaysWhichStrategyMadeThem() throws IOException {
        LocalJob job = job(Map.of("t", "0.3"), Map.of());
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(job, MAGNITUDE, new MagnitudeStrategy()));
        assertEquals(job.artifacts().find("job-2", "prune/masks.safetensors").orElseThrow(),
                done.outputs().get("masks"));
        Model pruned = ModelFiles.load(job.artifacts().open(done.outputs().get("model")));
        ParameterMasks masks = MaskFiles.load(job.artifacts().open(done.outputs().get("masks")));
        for (int i = 0; i < masks.keep("conv3.coefficients").orElseThrow().length; i++) {
            if (!masks.keep("conv3.coefficients").orElseThrow()[i]) {
                assertEquals(0f, pruned.parameters().get("conv3.coefficients").data()[i]);
            }
        }
        PruningSummary summary = assertInstanceOf(PruningSummary.class, done.summary());
        assertEquals("magnitude", summary.strategy());
        assertEquals("io.penni.test", summary.bundle());
        assertEquals("1.2.3", summary.bundleVersion());
        assertEquals(Map.of("t", "0.3"), summary.parameters());
        assertEquals(6, summary.layers().size());
        double sparsity = summary.sparsity();
        assertTrue(sparsity > 0 && sparsity < 1, "sparsity " + sparsity);
    }

    @Test
    void parametersTheStrategyRefusesFailTheJobWithItsMessage() throws IOException {
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                PruneJob.run(job(Map.of("t", "many"), Map.of()), MAGNITUDE, new MagnitudeStrategy()));
        assertEquals("prune: strategy magnitude: parameter 't' must be a number, was 'many'", failed.reason());
        assertFalse(failed.retryable());
    }

    @Test
    void aSecondRunStoresTheSameOutputsWithTheirProvenance() throws IOException {
        // skipping a completed stage is the job core's runner's work (StageRunner); a stage run twice, as after a
        // crash before its outcome was recorded, must come to byte-identical outputs
        LocalJob job = job(Map.of(), Map.of());
        StageOutcome.Completed first = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(job, MAGNITUDE, new MagnitudeStrategy()));
        StageOutcome.Completed again = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(job, MAGNITUDE, new MagnitudeStrategy()));
        assertEquals(first.outputs(), again.outputs());
        PruningSummary summary = assertInstanceOf(PruningSummary.class, again.summary());
        assertEquals("magnitude", summary.strategy());
        assertEquals(Map.of("t", "0.5"), summary.parameters());
    }

    @Test
    void masksOfAnEarlierPruningStayPruned() throws IOException {
        LocalJob earlier = job(Map.of("t", "1.0"), Map.of());
        StageOutcome.Completed first = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(earlier, MAGNITUDE, new MagnitudeStrategy()));
        ParameterMasks before = MaskFiles.load(earlier.artifacts().open(first.outputs().get("masks")));
        // a job of its own (so the first job's outputs are not simply returned) over the same store
        LocalJob later = LocalJob.in(dir, "job-3", 5, new PruningSpec(Optional.empty(), Map.of("t", "0")))
                .withInputs(Map.of("model", first.outputs().get("model"), "masks", first.outputs().get("masks")));
        StageOutcome.Completed second = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(later, MAGNITUDE, new MagnitudeStrategy()));
        ParameterMasks after = MaskFiles.load(later.artifacts().open(second.outputs().get("masks")));
        assertEquals(before, after);
    }

    @Test
    void aJobAskingForFullyConnectedPruningMasksTheFirstLinearLayerAndOnlyThen() throws IOException {
        Map<String, ArtifactRef> none = Map.of();
        LocalJob convOnly = decomposedJob(dir.resolve("a"), new PruningSpec(Optional.of("magnitude"), Map.of("t", "0.01")),
                none);
        LocalJob withFc = decomposedJob(dir.resolve("b"), new PruningSpec(Optional.of("magnitude"), Map.of("t", "0.01"),
                true), none);
        String fc = Architectures.network("vgg-small").layers().stream()
                .filter(io.penni.api.model.Layer.Linear.class::isInstance).findFirst().orElseThrow().name() + ".weight";
        StageOutcome.Completed a = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(convOnly, MAGNITUDE, new MagnitudeStrategy()));
        StageOutcome.Completed b = assertInstanceOf(StageOutcome.Completed.class,
                PruneJob.run(withFc, MAGNITUDE, new MagnitudeStrategy()));
        assertTrue(MaskFiles.load(convOnly.artifacts().open(a.outputs().get("masks"))).keep(fc).isEmpty(),
                "off by default");
        boolean[] keep = MaskFiles.load(withFc.artifacts().open(b.outputs().get("masks"))).keep(fc).orElseThrow();
        int pruned = 0;
        for (boolean k : keep) {
            pruned += k ? 0 : 1;
        }
        assertTrue(pruned > 0, "some FC weights under 0.01 are pruned");
    }
}
