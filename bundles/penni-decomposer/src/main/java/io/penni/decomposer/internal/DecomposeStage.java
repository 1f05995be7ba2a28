package io.penni.decomposer.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.DecompositionSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.decomposer.BasisDecomposer;
import io.penni.decomposer.Decomposition;
import io.penni.decomposer.DecompositionSettings;
import io.penni.decomposer.LayerDecomposition;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelException;

/**
 * The {@value StageNames#DECOMPOSE} stage: reads the input {@code model}, decomposes it with the request's d
 * ({@code penni.bases}) and stores {@code decompose/model.json} with its weights. Its summary holds each layer's
 * d and relative reconstruction error. A run again overwrites the outputs with the same content; the job core's
 * runner does not run the stage again for a job once it completed.
 */
@Component(property = CompressionStage.STAGE + "=" + StageNames.DECOMPOSE)
public final class DecomposeStage implements CompressionStage {

    @Override
    public StageOutcome run(StageContext context) {
        String jobId = context.request().jobId();
        try {
            DecompositionSettings settings = DecompositionSettings.of(context.request().penni().bases());
            Decomposition decomposition = BasisDecomposer.decompose(
                    ModelArtifacts.load(context.artifacts(), context.inputs()), settings);
            Map<String, ArtifactRef> outputs = ModelArtifacts.save(context.artifacts(), jobId, StageNames.DECOMPOSE,
                    decomposition.model(), context.workDir());
            context.progress(StageProgress.note("decomposed " + decomposition.layers().size() + " layers with d = "
                    + settings.bases()));
            return new StageOutcome.Completed(outputs, summary(settings, decomposition));
        } catch (ModelException | IllegalArgumentException e) {
            return new StageOutcome.Failed(StageNames.DECOMPOSE + ": " + e.getMessage(), false);
        } catch (IOException e) {
            return new StageOutcome.Failed(StageNames.DECOMPOSE + ": cannot read or store the model: "
                    + e.getMessage(), true);
        }
    }

    private static DecompositionSummary summary(DecompositionSettings settings, Decomposition decomposition) {
        List<DecompositionSummary.Layer> layers = new ArrayList<>();
        double worst = 0;
        for (LayerDecomposition layer : decomposition.layers()) {
            layers.add(new DecompositionSummary.Layer(layer.layer(), layer.kernel(), layer.bases(),
                    layer.relativeError()));
            worst = Math.max(worst, layer.relativeError());
        }
        return new DecompositionSummary(settings.bases(), layers, worst);
    }
}
