package io.penni.pruner.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.model.Model;
import io.penni.api.prune.PruningStrategy;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.PruningSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelException;
import io.penni.pruner.LayerSparsity;
import io.penni.pruner.MaskFiles;
import io.penni.pruner.ParameterMasks;
import io.penni.pruner.PruneResult;
import io.penni.pruner.Pruning;
import io.penni.pruner.PruningOutcome;

/**
 * One job's pruning with the strategy the stage chose for it: check the job's parameters, read the model (and the
 * masks of an earlier pruning, if given), prune, and store the masks, then the model. The masks file's metadata
 * records the strategy, its bundle and the parameters used, so that stored outputs say how they were made.
 */
final class PruneJob {

    /** The output (and optional input) naming the masks file. */
    static final String MASKS = "masks";

    private static final String MASKS_NAME = StageNames.PRUNE + "/masks.safetensors";
    private static final String PARAMETER_PREFIX = "parameter.";

    /**
     * Where the chosen strategy comes from.
     *
     * @param name its {@code penni.strategy} name
     * @param bundle the symbolic name of the bundle that registered it
     * @param version that bundle's version
     */
    record Provenance(String name, String bundle, String version) {
    }

    private PruneJob() {
    }

    /**
     * Prunes the job's model.
     *
     * @param context the job
     * @param provenance the strategy's name and bundle
     * @param strategy the strategy, held for the whole job
     * @return the stored outputs with the summary, or why not
     */
    static StageOutcome run(StageContext context, Provenance provenance, PruningStrategy strategy) {
        Map<String, String> overrides = context.request().pruning().parameters();
        Optional<String> problem = strategy.checkParameters(overrides);
        if (problem.isPresent()) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": " + problem.get(), false);
        }
        Map<String, String> used = new TreeMap<>(strategy.parameters());
        used.putAll(overrides);
        ArtifactStore store = context.artifacts();
        String jobId = context.request().jobId();
        try {
            Model model = ModelArtifacts.load(store, context.inputs());
            ParameterMasks previous = context.inputs().containsKey(MASKS)
                    ? MaskFiles.load(store.open(context.inputs().get(MASKS)))
                    : ParameterMasks.none();
            PruningOutcome outcome = Pruning.prune(model, provenance.name(), strategy, overrides, previous,
                    context.request().pruning().linear());
            if (outcome instanceof PruningOutcome.Rejected rejected) {
                return new StageOutcome.Failed(StageNames.PRUNE + ": " + rejected.reason(), false);
            }
            PruneResult result = ((PruningOutcome.Pruned) outcome).result();
            Path maskFile = context.workDir().resolve("prune-masks.safetensors");
            ArtifactRef masks;
            try {
                MaskFiles.save(result.masks(), metadata(provenance, used), maskFile);
                masks = store.put(jobId, MASKS_NAME, maskFile);
            } finally {
                Files.deleteIfExists(maskFile);
            }
            Map<String, ArtifactRef> outputs = new LinkedHashMap<>(
                    ModelArtifacts.save(store, jobId, StageNames.PRUNE, result.model(), context.workDir()));
            outputs.put(MASKS, masks);
            context.progress(StageProgress.note(String.format(Locale.ROOT,
                    "pruned with %s: %.1f%% of %d prunable values", provenance.name(), 100 * result.sparsity(),
                    result.total())));
            return new StageOutcome.Completed(outputs, summary(provenance, used, result));
        } catch (ModelException | IllegalArgumentException e) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": " + e.getMessage(), false);
        } catch (IOException e) {
            return new StageOutcome.Failed(StageNames.PRUNE + ": cannot read or store a file: " + e.getMessage(),
                    true);
        }
    }

    private static Map<String, String> metadata(Provenance provenance, Map<String, String> used) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("strategy", provenance.name());
        metadata.put("bundle", provenance.bundle());
        metadata.put("bundle.version", provenance.version());
        used.forEach((k, v) -> metadata.put(PARAMETER_PREFIX + k, v));
        return metadata;
    }

    private static PruningSummary summary(Provenance provenance, Map<String, String> used, PruneResult result) {
        List<PruningSummary.Layer> layers = new ArrayList<>();
        for (LayerSparsity layer : result.layers()) {
            layers.add(new PruningSummary.Layer(layer.layer(), layer.kind().name(), layer.kept(), layer.total(),
                    layer.sparsity()));
        }
        return new PruningSummary(provenance.name(), provenance.bundle(), provenance.version(), used, layers,
                result.kept(), result.total(), result.sparsity(), result.violations());
    }
}
