package io.penni.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.job.CompressionRequest;
import io.penni.api.job.ModelSource;
import io.penni.api.stage.StageNames;

/**
 * What a stage's outcome was made from, so that a recorded outcome is reused only for the same thing: the request's
 * settings, the artifacts the stage was handed and, for a request that names a model file, that file's content —
 * each as a SHA-256, kept apart so that a mismatch can say which one changed.
 *
 * <p>The request's digest covers every field but the job id and the recipe's name (the fields a recipe filled in are
 * covered themselves); the {@code evaluation} section counts for the evaluate stage only, the one stage that reads
 * it, so that asking for another backend's timings does not retrain a job. Maps are taken in key order, so the digest
 * is the same in every process.
 *
 * @param request SHA-256 of the request's settings that bear on the stage
 * @param inputs SHA-256 of the names and digests of the artifacts the stage was handed
 * @param source SHA-256 of the model file the request names, {@code "none"} for a built-in architecture, or
 *        {@code "unreadable"}, or {@code "not read"} where the model root is not known
 */
public record StageFingerprint(String request, String inputs, String source) {

    /** The request fields that never bear on a stage's result. */
    private static final Set<String> NEVER = Set.of("jobId", "recipe");

    /** Checks the fields. */
    public StageFingerprint {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(source, "source");
    }

    /**
     * @param request the job's request
     * @param stage the stage
     * @param inputs the artifacts the stage is handed
     * @param modelRoot the folder a stored model's path is resolved against, when known
     * @return the fingerprint of that run
     */
    public static StageFingerprint of(CompressionRequest request, String stage, Map<String, ArtifactRef> inputs,
            Optional<Path> modelRoot) {
        StringBuilder settings = new StringBuilder();
        for (RecordComponent c : CompressionRequest.class.getRecordComponents()) {
            if (NEVER.contains(c.getName()) || c.getName().equals("evaluation") && !stage.equals(StageNames.EVALUATE)) {
                continue;
            }
            settings.append(c.getName()).append('=');
            canonical(settings, value(c, request));
            settings.append('\n');
        }
        StringBuilder handed = new StringBuilder();
        new TreeMap<>(inputs).forEach((name, ref) -> handed.append(name).append('=').append(ref.sha256()).append('\n'));
        return new StageFingerprint(sha256(settings), sha256(handed), source(request.model(), modelRoot));
    }

    /**
     * @param recorded the fingerprint an earlier run recorded
     * @return what differs between that run and this one, in words; empty when nothing does
     */
    public List<String> differences(StageFingerprint recorded) {
        List<String> changed = new ArrayList<>();
        if (!request.equals(recorded.request)) {
            changed.add("request settings");
        }
        if (!inputs.equals(recorded.inputs)) {
            changed.add("input artifacts");
        }
        if (!source.equals(recorded.source)) {
            changed.add("model file content");
        }
        return changed;
    }

    private static String source(ModelSource model, Optional<Path> modelRoot) {
        if (!(model instanceof ModelSource.Stored stored)) {
            return "none";
        }
        if (modelRoot.isEmpty()) {
            return "not read";
        }
        try (InputStream in = Files.newInputStream(modelRoot.get().resolve(stored.path()))) {
            MessageDigest digest = digest();
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            return "unreadable";
        }
    }

    /** Writes a value so that equal values give equal text in any process: records by component, maps by key. */
    private static void canonical(StringBuilder out, Object value) {
        if (value instanceof Record r) {
            out.append(r.getClass().getSimpleName()).append('{');
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                out.append(c.getName()).append('=');
                canonical(out, value(c, r));
                out.append(';');
            }
            out.append('}');
        } else if (value instanceof Optional<?> o) {
            if (o.isPresent()) {
                out.append("some(");
                canonical(out, o.get());
                out.append(')');
            } else {
                out.append("none");
            }
        } else if (value instanceof Map<?, ?> m) {
            TreeMap<String, Object> sorted = new TreeMap<>();
            m.forEach((k, v) -> sorted.put(String.valueOf(k), v));
            out.append('{');
            sorted.forEach((k, v) -> {
                quoted(out, k);
                out.append(':');
                canonical(out, v);
                out.append(',');
            });
            out.append('}');
        } else if (value instanceof Collection<?> c) {
            out.append('[');
            c.forEach(v -> {
                canonical(out, v);
                out.append(',');
            });
            out.append(']');
        } else if (value instanceof CharSequence s) {
            quoted(out, s.toString());
        } else {
            out.append(value); // numbers, booleans, enums, null
        }
    }

    private static void quoted(StringBuilder out, String s) {
        out.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    private static Object value(RecordComponent component, Record of) {
        try {
            return component.getAccessor().invoke(of);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component + " of " + of.getClass().getName(), e);
        }
    }

    private static String sha256(CharSequence text) {
        return HexFormat.of().formatHex(digest().digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
