package io.penni.artifacts.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;

/** The container's artifact store, on the folder configured by PID {@code penni.artifacts}. */
@Component(service = ArtifactStore.class, configurationPid = "penni.artifacts")
@Designate(ocd = ArtifactStoreComponent.Config.class)
public final class ArtifactStoreComponent implements ArtifactStore {

    /** Configuration of the store. */
    @ObjectClassDefinition(name = "PENNI artifact store", description = "Where jobs keep models, checkpoints and reports.")
    public @interface Config {
        /** @return the folder */
        @AttributeDefinition(name = "Root folder", description = "Folder of the store; relative paths are relative to "
                + "var/ (framework property penni.var.dir). Default: var/artifacts.")
        String root() default "artifacts";
    }

    private volatile FileSystemArtifactStore store;

    @Activate
    @Modified
    void configure(Config config, BundleContext context) {
        Path base = Path.of(Optional.ofNullable(context.getProperty("penni.var.dir")).orElse("var"));
        store = new FileSystemArtifactStore(base.resolve(config.root()));
    }

    @Override
    public ArtifactRef put(String jobId, String name, Path source) throws IOException {
        return store.put(jobId, name, source);
    }

    @Override
    public ArtifactRef write(String jobId, String name, byte[] content) throws IOException {
        return store.write(jobId, name, content);
    }

    @Override
    public Optional<ArtifactRef> find(String jobId, String name) {
        return store.find(jobId, name);
    }

    @Override
    public Path open(ArtifactRef ref) throws IOException {
        return store.open(ref);
    }

    @Override
    public Path workDir(String jobId, String stage) throws IOException {
        return store.workDir(jobId, stage);
    }
}
