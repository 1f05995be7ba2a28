package io.penni.artifacts.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.artifacts.testing.ArtifactStoreContract;

/** The store contract on the file-system store. */
class FileSystemArtifactStoreContractTest extends ArtifactStoreContract {

    @Override
    protected ArtifactStore store() throws IOException {
        return new FileSystemArtifactStore(Files.createDirectories(scratch.resolve("store")));
    }

    @Override
    protected String scheme() {
        return "file";
    }

    @Override
    protected void corrupt(ArtifactRef ref, byte[] content) throws IOException {
        Files.write(Path.of(ref.uri()), content);
    }

    @Override
    protected void delete(ArtifactRef ref) throws IOException {
        Files.delete(Path.of(ref.uri()));
    }
}
