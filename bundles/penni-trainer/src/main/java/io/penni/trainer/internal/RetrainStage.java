package io.penni.trainer.internal;

import java.util.Map;
import java.util.OptionalInt;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.penni.api.compute.TensorRuntime;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.model.ModelArtifacts;
import io.penni.trainer.Sparsity;
import io.penni.trainer.TrainingEnvironment;
import io.penni.trainer.TrainingResult;
import io.penni.trainer.TrainingRun;

/**
 * PENNI's retraining of a decomposed model: coefficients and bases take turns every {@code switchEvery} epochs,
 * coefficients first, with an L1 penalty γ·Σ|c| on coefficients; reports the sparsity it reaches.
 */
@Component(service = CompressionStage.class,
        property = {CompressionStage.STAGE + "=" + StageNames.RETRAIN, CompressionStage.TRAINING + ":Boolean=true"})
public final class RetrainStage implements CompressionStage {

    private final TrainingEnvironment environment;

    /** The CPU engine, when installed: it computes a distilling run's teacher logits (see {@code Teacher}). */
    @Reference(target = TrainingStageSupport.TEACHER_RUNTIME, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile InferenceBackend teacherRuntime;

    /**
     * The component's constructor: runs only once ND4J is ready.
     *
     * @param runtime the tensor runtime (a readiness marker)
     * @param context the bundle context, for the data root
     */
    @Activate
    public RetrainStage(@Reference TensorRuntime runtime, BundleContext context) {
        this(TrainingStageSupport.environment(context));
    }

    /**
     * @param environment where data and models are
     */
    public RetrainStage(TrainingEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public StageOutcome run(StageContext context) {
        CompressionRequest request = context.request();
        try {
            Model start = ModelArtifacts.load(context.artifacts(), context.inputs());
            TrainingStageSupport.Data data = TrainingStageSupport.data(context, environment);
            TrainingRun run = new TrainingRun(StageNames.RETRAIN, request.penni().retrain(),
                    OptionalInt.of(request.penni().switchEvery()), request.penni().l1(), Map.of(),
                    request.dataset().augmentation(), request.seed(), environment.evaluateEvery());
            run = TrainingStageSupport.withTeacher(run, context, teacherRuntime);
            TrainingResult result = TrainingStageSupport.train(context, run, start, data);
            if (result.cancelled()) {
                return TrainingStageSupport.cancelled(result);
            }
            Sparsity sparsity = Sparsity.of(result.model());
            return TrainingStageSupport.completed(context, StageNames.RETRAIN, result,
                    TrainingStageSupport.evaluate(result.model(), data),
                    TrainingStageSupport.PhaseFigures.retrain(sparsity.belowStdFraction(), sparsity.zeroFraction(),
                            request.penni().l1(), request.penni().switchEvery()));
        } catch (Exception e) {
            return TrainingStageSupport.failed(e, context);
        }
    }
}
