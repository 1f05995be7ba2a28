package io.penni.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.api.stage.StageNames;
import io.penni.api.stage.StageOutcome;
import io.penni.model.ModelArtifacts;

/**
 * The weights file of the dense model and of the compressed one, as stored (safetensors: every value of every
 * tensor, zeros too) and gzip-compressed (what pruned zeros save when the file is shipped compressed: a shrunk
 * model is smaller as stored, a pruned-but-unshrunk fully connected layer only once compressed).
 *
 * @param dense the dense model's weights file, in bytes
 * @param compressed the compressed model's
 * @param denseGzip the dense file gzip-compressed
 * @param compressedGzip the compressed file gzip-compressed
 */
record FileSizes(OptionalLong dense, OptionalLong compressed, OptionalLong denseGzip, OptionalLong compressedGzip) {

    static FileSizes of(ArtifactStore store, Map<String, StageOutcome.Completed> stages) throws IOException {
        ArtifactRef dense = output(stages, StageNames.PRETRAIN, "baseline.weights");
        ArtifactRef compressed = output(stages, StageNames.SHRINK, ModelArtifacts.WEIGHTS);
        return new FileSizes(size(dense), size(compressed), gzip(store, dense), gzip(store, compressed));
    }

    private static ArtifactRef output(Map<String, StageOutcome.Completed> stages, String stage, String name) {
        StageOutcome.Completed outcome = stages.get(stage);
        return outcome == null ? null : outcome.outputs().get(name);
    }

    private static OptionalLong size(ArtifactRef ref) {
        return ref == null ? OptionalLong.empty() : OptionalLong.of(ref.size());
    }

    private static OptionalLong gzip(ArtifactStore store, ArtifactRef ref) throws IOException {
        if (ref == null) {
            return OptionalLong.empty();
        }
        Counting counted = new Counting();
        try (InputStream in = Files.newInputStream(store.open(ref));
                GZIPOutputStream zip = new GZIPOutputStream(counted)) {
            in.transferTo(zip);
        }
        return OptionalLong.of(counted.count);
    }

    /** Counts what is written, keeping nothing. */
    private static final class Counting extends OutputStream {
        private long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    ObjectNode json() {
        ObjectNode files = JsonNodeFactory.instance.objectNode();
        change(files.putObject("weights"), dense, compressed);
        change(files.putObject("weightsGzip"), denseGzip, compressedGzip);
        return files;
    }

    private static void change(ObjectNode node, OptionalLong before, OptionalLong after) {
        if (before.isPresent()) {
            node.put("before", before.getAsLong());
        } else {
            node.putNull("before");
        }
        if (after.isPresent()) {
            node.put("after", after.getAsLong());
        } else {
            node.putNull("after");
        }
    }

    String markdown() {
        if (dense.isEmpty() || compressed.isEmpty()) {
            return "";
        }
        return "\n\n## Model files (weights, safetensors)\n\n| | dense | compressed | change |\n|---|---|---|---|\n"
                + row("as stored", dense.getAsLong(), compressed.getAsLong())
                + row("gzip-compressed", denseGzip.getAsLong(), compressedGzip.getAsLong()) + "\n";
    }

    private static String row(String label, long before, long after) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s |%n", label, kib(before), kib(after),
                after == 0 ? "" : String.format(Locale.ROOT, "%.2fx smaller", (double) before / after));
    }

    private static String kib(long bytes) {
        return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
    }
}
