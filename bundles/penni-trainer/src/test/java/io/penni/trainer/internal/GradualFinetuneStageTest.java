package io.penni.trainer.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.Distillation;
import io.penni.api.job.PruningSpec;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.stage.StageOutcome;
import io.penni.artifacts.testing.LocalJob;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.model.SafeTensors;
import io.penni.model.StoredTensor;
import io.penni.model.TensorFile;
import io.penni.trainer.TrainingEnvironment;

/**
 * The fine-tune stage of a job asking for gradual pruning starts from the retrained model (the pruned one lacks the
 * values the ramp zeroes one by one) and ends with exactly the pruner's zeros.
 */
class GradualFinetuneStageTest {

    private static final String LAYER = "conv3.weight";

    @TempDir
    Path folder;

    private LocalJob job(Map<String, ArtifactRef> inputs) throws Exception {
        return TrainingStageJobs.job(folder, "gradual", 2, Distillation.OFF,
                new PruningSpec(Optional.empty(), Map.of(), false, 1), inputs);
    }

    @Test
    void itStartsFromTheRetrainedModelAndEndsAtThePrunersZeros() throws Exception {
        LocalJob empty = job(Map.of());
        Model retrained = Architectures.create("vgg-small", 2);
        Tensor weight = retrained.parameters().get(LAYER);
        byte[] keep = new byte[weight.data().length];
        float[] pruned = weight.data().clone();
        for (int i = 0; i < keep.length; i++) {
            keep[i] = (byte) (i % 4 == 0 ? 1 : 0);
            pruned[i] = keep[i] == 1 ? pruned[i] : 0f;
        }
        Map<String, Tensor> prunedParameters = new HashMap<>(retrained.parameters());
        prunedParameters.put(LAYER, new Tensor(weight.shape(), pruned));
        Map<String, ArtifactRef> inputs = new HashMap<>(ModelArtifacts.save(empty.artifacts(), "gradual", "prune",
                new Model(retrained.network(), prunedParameters), empty.workDir()));
        Path maskFile = folder.resolve("masks.safetensors");
        SafeTensors.write(maskFile, new TensorFile(Map.of(LAYER, new StoredTensor.U8(weight.shape(), keep)), Map.of()));
        inputs.put(FinetuneStage.MASKS, empty.artifacts().put("gradual", "prune/masks.safetensors", maskFile));
        FinetuneStage stage = new FinetuneStage(new TrainingEnvironment(Path.of("/usr/share/datasets"), folder, 1));

        StageOutcome.Failed failed = assertInstanceOf(StageOutcome.Failed.class, stage.run(job(inputs)));
        assertTrue(failed.reason().contains("gradual pruning needs the retrained model ('retrain.model')"),
                failed.reason());

        Map<String, ArtifactRef> before = ModelArtifacts.save(empty.artifacts(), "gradual", "retrain", retrained,
                empty.workDir());
        inputs.put(FinetuneStage.RETRAINED, before.get(ModelArtifacts.MODEL));
        inputs.put(FinetuneStage.RETRAINED_WEIGHTS, before.get(ModelArtifacts.WEIGHTS));
        StageOutcome.Completed done = assertInstanceOf(StageOutcome.Completed.class, stage.run(job(inputs)));
        float[] after = ModelArtifacts.load(empty.artifacts(), done.outputs()).parameters().get(LAYER).data();
        int zeros = 0;
        for (int i = 0; i < after.length; i++) {
            if (keep[i] == 0) {
                assertEquals(0f, after[i], 0f, "pruned value " + i);
                zeros++;
            } else {
                assertTrue(after[i] != 0f, "kept value " + i + " is zero");
            }
        }
        assertEquals(after.length - (after.length + 3) / 4, zeros);
    }
}
