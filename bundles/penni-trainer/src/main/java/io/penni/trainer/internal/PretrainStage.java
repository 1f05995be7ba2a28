package io.penni.trainer.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.compute.TensorRuntime;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.ModelSource;
import io.penni.api.model.Model;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.model.Architectures;
import io.penni.model.ModelArtifacts;
import io.penni.onnx.StoredModels;
import io.penni.trainer.TestAccuracy;
import io.penni.trainer.TrainingEnvironment;
import io.penni.trainer.TrainingResult;
import io.penni.trainer.TrainingRun;

/**
 * The dense starting point of a job: a built-in architecture trained from scratch on the job's data (with the
 * request's {@code pretrain} schedule), or a stored model loaded from the model root. Either way its accuracy on
 * the test split is the baseline, and it is published both as {@code model} and as {@code baseline}.
 */
@Component(service = CompressionStage.class,
        property = {CompressionStage.STAGE + "=" + StageNames.PRETRAIN, CompressionStage.TRAINING + ":Boolean=true"})
public final class PretrainStage implements CompressionStage {

    private final TrainingEnvironment environment;

    /**
     * The component's constructor: runs only once ND4J is ready.
     *
     * @param runtime the tensor runtime (a readiness marker)
     * @param context the bundle context, for the data and model roots
     */
    @Activate
    public PretrainStage(@Reference TensorRuntime runtime, BundleContext context) {
        this(TrainingStageSupport.environment(context));
    }

    /**
     * @param environment where data and models are
     */
    public PretrainStage(TrainingEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public StageOutcome run(StageContext context) {
        CompressionRequest request = context.request();
        try {
            TrainingStageSupport.Data data = TrainingStageSupport.data(context, environment);
            Model model;
            TrainingResult result;
            if (request.model() instanceof ModelSource.BuiltIn builtIn) {
                Model initial = Architectures.create(builtIn.architecture(), builtIn.seed());
                TrainingRun run = new TrainingRun(StageNames.PRETRAIN, request.pretrain(), OptionalInt.empty(), 0,
                        Map.of(), request.dataset().augmentation(), request.seed(), environment.evaluateEvery());
                result = TrainingStageSupport.train(context, run, initial, data);
                if (result.cancelled()) {
                    return TrainingStageSupport.cancelled(result);
                }
                model = result.model();
            } else {
                ModelSource.Stored stored = (ModelSource.Stored) request.model();
                model = StoredModels.load(environment.modelRoot().resolve(stored.path()), stored.format());
                result = new TrainingResult(model, List.of(), java.util.Optional.empty(), false);
            }
            TestAccuracy baseline = TrainingStageSupport.evaluate(model, data);
            String source = request.model() instanceof ModelSource.BuiltIn b ? "built-in " + b.architecture()
                    : "stored " + ((ModelSource.Stored) request.model()).path();
            StageOutcome.Completed completed = TrainingStageSupport.completed(context, StageNames.PRETRAIN, result,
                    baseline, TrainingStageSupport.PhaseFigures.pretrain(source));
            Map<String, ArtifactRef> outputs = new LinkedHashMap<>(completed.outputs());
            outputs.put("baseline", completed.outputs().get(ModelArtifacts.MODEL));
            outputs.put("baseline.weights", completed.outputs().get(ModelArtifacts.WEIGHTS));
            return new StageOutcome.Completed(outputs, completed.summary());
        } catch (Exception e) {
            return TrainingStageSupport.failed(e, context);
        }
    }
}
