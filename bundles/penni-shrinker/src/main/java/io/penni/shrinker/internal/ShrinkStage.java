package io.penni.shrinker.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.model.Model;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.ShrinkingSummary;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelCount;
import io.penni.model.ModelCounter;
import io.penni.model.ModelException;
import io.penni.shrinker.ChannelShrinker;
import io.penni.shrinker.LayerShrink;
import io.penni.shrinker.Selection;
import io.penni.shrinker.ShrinkPlan;

/**
 * The {@value StageNames#SHRINK} stage: plans the shrinking of the input {@code model}, applies it, and stores
 * {@code shrink/plan.json}, then {@code shrink/model.json} with its weights. Its summary has each planned
 * layer's sizes before and after, and the parameters and MACs of both models. A run again overwrites the outputs
 * with the same content; the job core's runner does not run the stage again for a job once it completed.
 */
@Component(property = CompressionStage.STAGE + "=" + StageNames.SHRINK)
public final class ShrinkStage implements CompressionStage {

    /** The output naming the plan. */
    static final String PLAN = "plan";

    private static final String PLAN_NAME = StageNames.SHRINK + "/plan.json";

    @Override
    public StageOutcome run(StageContext context) {
        String jobId = context.request().jobId();
        try {
            Model pruned = ModelArtifacts.load(context.artifacts(), context.inputs());
            ShrinkPlan plan = ChannelShrinker.plan(pruned);
            Model shrunk = plan.apply(pruned);
            ArtifactRef planRef = context.artifacts().write(jobId, PLAN_NAME,
                    plan.toJson().getBytes(StandardCharsets.UTF_8));
            Map<String, ArtifactRef> outputs = new LinkedHashMap<>(ModelArtifacts.save(context.artifacts(), jobId,
                    StageNames.SHRINK, shrunk, context.workDir()));
            outputs.put(PLAN, planRef);
            ModelCount before = ModelCounter.count(pruned);
            ModelCount after = ModelCounter.count(shrunk);
            context.progress(StageProgress.note("shrunk " + before.params() + " to " + after.params()
                    + " parameters"));
            return new StageOutcome.Completed(outputs, summary(plan, before, after));
        } catch (ModelException | IllegalArgumentException e) {
            return new StageOutcome.Failed(StageNames.SHRINK + ": " + e.getMessage(), false);
        } catch (IOException e) {
            return new StageOutcome.Failed(StageNames.SHRINK + ": cannot read or store the model: "
                    + e.getMessage(), true);
        }
    }

    private static ShrinkingSummary summary(ShrinkPlan plan, ModelCount before, ModelCount after) {
        List<ShrinkingSummary.Layer> layers = new ArrayList<>();
        for (LayerShrink layer : plan.layers()) {
            layers.add(new ShrinkingSummary.Layer(layer.layer(), change(layer.outputs()), change(layer.inputs()),
                    change(layer.bases())));
        }
        return new ShrinkingSummary(layers, new ShrinkingSummary.Change(before.params(), after.params()),
                new ShrinkingSummary.Change(before.macs(), after.macs()));
    }

    private static ShrinkingSummary.Change change(Selection selection) {
        return new ShrinkingSummary.Change(selection.before(), selection.after());
    }
}
