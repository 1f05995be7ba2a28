package io.penni.shrinker.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.PruningSpec;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.ShrinkingSummary;
import io.penni.artifacts.testing.LocalJob;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.DecompositionSettings;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelFiles;
import io.penni.model.ReferenceForward;
import io.penni.shrinker.ShrinkPlan;

class ShrinkStageTest {

    @TempDir
    Path dir;

    /** A decomposed vgg-small whose conv3 has two dead filters (zero coefficients, zero gamma and beta). */
    private static Model deadFilters() {
        Model model = BasisDecomposer.decompose(Architectures.create("vgg-small", 3), DecompositionSettings.paper())
                .model();
        Map<String, Tensor> parameters = new HashMap<>(model.parameters());
        float[] coefficients = parameters.get("conv3.coefficients").data().clone();
        Arrays.fill(coefficients, 0, 2 * 32 * 5, 0f);
        parameters.put("conv3.coefficients", new Tensor(new int[] {64, 32, 5}, coefficients));
        for (String p : List.of("bn3.gamma", "bn3.beta")) {
            float[] values = parameters.get(p).data().clone();
            values[0] = 0f;
            values[1] = 0f;
            parameters.put(p, new Tensor(new int[] {64}, values));
        }
        return new Model(model.network(), parameters);
    }

    private LocalJob job(Map<String, ArtifactRef> inputs) throws IOException {
        return LocalJob.in(dir, "job-4", 5, new PruningSpec(Optional.empty(), Map.of())).withInputs(inputs);
    }

    private Map<String, ArtifactRef> stored(Model model) throws IOException {
        LocalJob job = job(Map.of());
        return ModelArtifacts.save(job.artifacts(), "job-4", "prune", model, job.workDir());
    }

    @Test
    void storesThePlanAndTheShrunkModelWithItsOutputs() throws IOException {
        Model pruned = deadFilters();
        LocalJob job = job(stored(pruned));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, new ShrinkStage().run(job));
        ShrinkPlan plan = ShrinkPlan.fromJson(Files.readAllBytes(job.artifacts().open(done.outputs().get("plan"))),
                "plan.json");
        assertEquals(62, plan.layer("conv3").orElseThrow().outputs().after());
        Model shrunk = ModelFiles.load(job.artifacts().open(done.outputs().get("model")));
        assertEquals(plan.apply(pruned), shrunk);
        Tensor image = new Tensor(new int[] {1, 1, 28, 28}, new float[28 * 28]);
        Arrays.fill(image.data(), 0.5f);
        assertArrayEquals(ReferenceForward.forward(pruned, image).data(), ReferenceForward.forward(shrunk, image)
                .data(), 1e-5f);
    }

    @Test
    void theSummaryHasEachLayerBeforeAndAfterAndTheParameterCounts() throws IOException {
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class,
                new ShrinkStage().run(job(stored(deadFilters()))));
        ShrinkingSummary summary = assertInstanceOf(ShrinkingSummary.class, done.summary());
        ShrinkingSummary.Layer conv3 = summary.layers().stream().filter(l -> l.name().equals("conv3")).findFirst()
                .orElseThrow();
        assertEquals(new ShrinkingSummary.Change(64, 62), conv3.outputs());
        assertEquals(new ShrinkingSummary.Change(64, 62), summary.layers().stream()
                .filter(l -> l.name().equals("conv4")).findFirst().orElseThrow().inputs());
        ShrinkingSummary.Change params = summary.params();
        assertTrue(params.after() < params.before(), params.toString());
    }

    @Test
    void aSecondRunStoresTheSameOutputsAgain() throws IOException {
        // skipping a completed stage is the job core's runner's work (StageRunner); a stage run twice, as after a
        // crash before its outcome was recorded, must come to byte-identical outputs
        LocalJob job = job(stored(deadFilters()));
        StageOutcome.Completed first = assertInstanceOf(StageOutcome.Completed.class, new ShrinkStage().run(job));
        StageOutcome.Completed second = assertInstanceOf(StageOutcome.Completed.class, new ShrinkStage().run(job));
        assertEquals(first.outputs(), second.outputs());
        assertEquals(first.summary(), second.summary());
    }

    @Test
    void aMissingInputFailsInOneLine() throws IOException {
        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class,
                new ShrinkStage().run(job(Map.of())));
        assertTrue(failed.reason().startsWith("shrink: input 'model' is missing"), failed.reason());
        assertFalse(failed.reason().contains("\n"));
    }
}
