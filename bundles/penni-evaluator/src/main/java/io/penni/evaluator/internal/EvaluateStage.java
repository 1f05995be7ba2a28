package io.penni.evaluator.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.inference.InferenceBackend;
import io.penni.api.inference.LoadOutcome;
import io.penni.api.inference.LoadedModel;
import io.penni.api.job.CompressionRequest;
import io.penni.api.model.Model;
import io.penni.api.stage.CompressionStage;
import io.penni.api.stage.EvaluationSummary;
import io.penni.api.stage.StageContext;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.api.stage.StageProgress;
import io.penni.datasets.DataSplit;
import io.penni.datasets.DatasetException;
import io.penni.datasets.DatasetLoader;
import io.penni.datasets.Normalization;
import io.penni.model.ModelCounter;
import io.penni.model.ModelException;
import io.penni.model.ModelArtifacts;
import io.penni.model.StageSummaryJson;

/**
 * The evaluate stage: inputs {@code model} (compressed) and {@code baseline} (the dense original), both model
 * files; the request's evaluation (backends, batch sizes, runs) and data set, read from the data root given by
 * the framework property {@value #DATA_ROOT} (default {@value #DEFAULT_DATA_ROOT}) and normalised as training
 * normalised it. Outputs {@code inference} (JSON) and {@code inference-report} (Markdown); the summary is what
 * the job's report shows under {@code inference}.
 */
@Component(service = CompressionStage.class, property = {CompressionStage.STAGE + "=" + StageNames.EVALUATE,
        CompressionStage.TRAINING + ":Boolean=false"})
public final class EvaluateStage implements CompressionStage {

    /** Framework property naming the folder data sets are read from. */
    static final String DATA_ROOT = "penni.data.root";
    static final String DEFAULT_DATA_ROOT = "/usr/share/datasets";
    /**
     * The backends the dense original may run on, in order of preference: ONNX Runtime, what a user would deploy
     * the dense model with, where its bundle is installed; else the trainer's own graph on SameDiff.
     */
    static final List<String> REFERENCES = List.of("onnxruntime", "dense-reference");

    private final Map<String, InferenceBackend> backends = new ConcurrentHashMap<>();
    private Path dataRoot;

    /** The component's constructor; backends arrive as services, the data root at activation. */
    public EvaluateStage() {
    }

    /**
     * For runs outside the container.
     *
     * @param backends backends by name; one of {@link #REFERENCES} must be among them
     * @param dataRoot where data sets are
     */
    public EvaluateStage(Map<String, InferenceBackend> backends, Path dataRoot) {
        this.backends.putAll(backends);
        this.dataRoot = dataRoot;
    }

    /**
     * Adds a backend under its {@value InferenceBackend#NAME}.
     *
     * @param backend the backend
     * @param properties its service properties
     */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void addBackend(InferenceBackend backend, Map<String, Object> properties) {
        Object name = properties.get(InferenceBackend.NAME);
        if (name != null) {
            backends.put(name.toString(), backend);
        }
    }

    void removeBackend(InferenceBackend backend, Map<String, Object> properties) {
        backends.values().remove(backend);
    }

    @Activate
    void activate(BundleContext context) {
        String root = context.getProperty(DATA_ROOT);
        dataRoot = Path.of(root == null || root.isBlank() ? DEFAULT_DATA_ROOT : root);
    }

    /** For tests outside the framework. */
    void dataRoot(Path root) {
        dataRoot = root;
    }

    @Override
    public StageOutcome run(StageContext context) {
        CompressionRequest request = context.request();
        List<String> names = request.evaluation().backends().isEmpty() ? List.of("cpu")
                : request.evaluation().backends();
        for (String name : names) {
            if (!backends.containsKey(name)) {
                return failed("evaluation backend '" + name + "' is not available in this container; available: "
                        + new TreeMap<>(backends).keySet());
            }
        }
        Optional<String> reference = REFERENCES.stream().filter(backends::containsKey).findFirst();
        if (reference.isEmpty()) {
            return failed("no dense reference backend (" + String.join(" or ", REFERENCES) + ") is available in "
                    + "this container, so the dense original cannot be measured");
        }
        String referenceName = reference.get();
        Model compressed;
        Model dense;
        DataSplit data;
        try {
            compressed = model(context, "model");
            dense = model(context, "baseline");
            context.progress(StageProgress.note("loading the test split of " + request.dataset().format()));
            data = DatasetLoader.load(request.dataset(), dataRoot);
        } catch (ModelException | DatasetException e) {
            return failed(e.getMessage());
        } catch (IOException e) {
            return failed("cannot read an input model: " + e.getMessage());
        }
        List<LoadedModel> opened = new ArrayList<>();
        try {
            List<InferenceEvaluation.Subject> subjects = new ArrayList<>();
            long compressedMacs = ModelCounter.count(compressed).macs();
            for (String name : names) {
                LoadOutcome outcome = backends.get(name).load(compressed);
                if (outcome instanceof LoadOutcome.Unsupported u) {
                    return failed("backend " + name + " cannot run the compressed model: " + u.reason());
                }
                LoadedModel m = ((LoadOutcome.Loaded) outcome).model();
                opened.add(m);
                subjects.add(new InferenceEvaluation.Subject(name, m, compressedMacs));
            }
            LoadOutcome denseOutcome = backends.get(referenceName).load(dense);
            if (denseOutcome instanceof LoadOutcome.Unsupported u) {
                return failed("backend " + referenceName + " cannot run the dense original: " + u.reason());
            }
            LoadedModel denseModel = ((LoadOutcome.Loaded) denseOutcome).model();
            opened.add(denseModel);
            context.progress(StageProgress.note("measuring accuracy, latency and memory on " + names + " and, for "
                    + "the dense original, " + referenceName));
            EvaluationSummary summary = InferenceEvaluation.run(subjects,
                    new InferenceEvaluation.Subject(referenceName, denseModel, ModelCounter.count(dense).macs()),
                    data.test(), Normalization.of(data.train()), request.evaluation(), context::cancelled);
            String markdown = InferenceMarkdown.of(compressed.network().name(), request.dataset().format(), summary);
            ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArtifactRef jsonRef = context.artifacts().write(request.jobId(), "evaluate/inference.json",
                    json.writeValueAsBytes(StageSummaryJson.fields(summary)));
            ArtifactRef mdRef = context.artifacts().write(request.jobId(), "evaluate/inference.md",
                    markdown.getBytes(StandardCharsets.UTF_8));
            return new StageOutcome.Completed(Map.of("inference", jsonRef, "inference-report", mdRef), summary);
        } catch (InferenceEvaluation.Cancelled e) {
            return new StageOutcome.Failed("evaluation stopped: the container is shutting down", true);
        } catch (IOException e) {
            return new StageOutcome.Failed("cannot write the evaluation: " + e.getMessage(), true);
        } catch (RuntimeException e) {
            // a backend failing while it runs is the backend's bug; the job still gets one line
            return failed("evaluation failed: " + e);
        } finally {
            opened.forEach(LoadedModel::close);
        }
    }

    private static Model model(StageContext context, String input) throws IOException {
        Optional<ArtifactRef> ref = Optional.ofNullable(context.inputs().get(input));
        if (ref.isEmpty()) {
            throw new ModelException("evaluate needs the input '" + input + "' (a model file), the job has "
                    + new TreeMap<>(context.inputs()).keySet());
        }
        return ModelArtifacts.load(context.artifacts(), context.inputs(), input);
    }

    private static StageOutcome failed(String reason) {
        return new StageOutcome.Failed(reason, false);
    }
}
