package io.penni.trainer.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.compute.TensorRuntime;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.model.Tensor;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.model.FileLimits;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelException;
import io.penni.model.SafeTensors;
import io.penni.model.StoredTensor;
import io.penni.trainer.Sparsity;
import io.penni.trainer.TrainingEnvironment;
import io.penni.trainer.TrainingResult;
import io.penni.trainer.TrainingRun;

/**
 * Fine-tuning after pruning: trains the pruned model with the pruner's masks, so every pruned value stays
 * exactly zero through every step.
 */
@Component(service = CompressionStage.class,
        property = {CompressionStage.STAGE + "=" + StageNames.FINETUNE, CompressionStage.TRAINING + ":Boolean=true"})
public final class FinetuneStage implements CompressionStage {

    /** Input name of the pruner's masks. */
    static final String MASKS = "masks";

    /** Input names of the retraining's model (gradual pruning starts from it). */
    static final String RETRAINED = StageNames.RETRAIN + "." + ModelArtifacts.MODEL;
    static final String RETRAINED_WEIGHTS = StageNames.RETRAIN + "." + ModelArtifacts.WEIGHTS;

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
    public FinetuneStage(@Reference TensorRuntime runtime, BundleContext context) {
        this(TrainingStageSupport.environment(context));
    }

    /**
     * @param environment where data and models are
     */
    public FinetuneStage(TrainingEnvironment environment) {
        this.environment = environment;
    }

    @Override
    public StageOutcome run(StageContext context) {
        CompressionRequest request = context.request();
        try {
            int gradual = request.pruning().gradualEpochs();
            Model start = gradual > 0 ? retrained(context) : ModelArtifacts.load(context.artifacts(), context.inputs());
            Map<String, Tensor> masks = masks(context);
            TrainingStageSupport.Data data = TrainingStageSupport.data(context, environment);
            TrainingRun run = new TrainingRun(StageNames.FINETUNE, request.penni().finetune(), OptionalInt.empty(), 0,
                    masks, request.dataset().augmentation(), request.seed(), environment.evaluateEvery());
            if (gradual > 0) {
                run = run.pruningGradually(gradual);
            }
            run = TrainingStageSupport.withTeacher(run, context, teacherRuntime);
            TrainingResult result = TrainingStageSupport.train(context, run, start, data);
            if (result.cancelled()) {
                return TrainingStageSupport.cancelled(result);
            }
            return TrainingStageSupport.completed(context, StageNames.FINETUNE, result,
                    TrainingStageSupport.evaluate(result.model(), data),
                    TrainingStageSupport.PhaseFigures.finetune(Sparsity.of(result.model()).zeroFraction(), masks.size()));
        } catch (Exception e) {
            return TrainingStageSupport.failed(e, context);
        }
    }

    /**
     * The retrained model, before pruning: gradual pruning starts from its values and zeroes the pruned ones over
     * the first epochs (the pruned model differs from it only by those zeros).
     */
    static Model retrained(StageContext context) throws IOException {
        return TrainingStageSupport.inputModel(context, RETRAINED, RETRAINED_WEIGHTS,
                "gradual pruning needs the retrained model");
    }

    /** The pruner's keep-masks (U8 or BOOL tensors named like the parameters) as 0/1 float tensors. */
    static Map<String, Tensor> masks(StageContext context) throws IOException {
        ArtifactRef ref = context.inputs().get(MASKS);
        if (ref == null) {
            throw new IOException("fine-tuning needs the pruner's 'masks', which no earlier stage produced");
        }
        Path file = context.artifacts().open(ref);
        Map<String, Tensor> masks = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, StoredTensor> e : SafeTensors.read(file, FileLimits.DEFAULT).tensors().entrySet()) {
                masks.put(e.getKey(), toFloat(e.getKey(), e.getValue()));
            }
        } catch (ModelException e) {
            throw new IOException("masks: " + e.getMessage(), e);
        }
        return masks;
    }

    private static Tensor toFloat(String name, StoredTensor stored) throws IOException {
        if (stored instanceof StoredTensor.U8 u8) {
            float[] values = new float[u8.values().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = u8.values()[i] == 0 ? 0f : 1f;
            }
            return new Tensor(u8.shape(), values);
        }
        if (stored instanceof StoredTensor.Bool bool) {
            float[] values = new float[bool.values().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = bool.values()[i] ? 1f : 0f;
            }
            return new Tensor(bool.shape(), values);
        }
        throw new IOException("mask " + name + " is " + stored.dtype() + ", not U8 or BOOL");
    }
}
