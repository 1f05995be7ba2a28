package io.penni.tools.feature;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.Component;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.RepositorySystemSession;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;

import io.penni.launcher.feature.ArtifactCoordinates;
import io.penni.launcher.feature.Feature;
import io.penni.launcher.feature.FeatureBundle;
import io.penni.launcher.feature.FeatureException;
import io.penni.launcher.feature.FeatureReader;

/**
 * Assembles a distribution from OSGi Feature files: every bundle a feature names is resolved (from this build
 * or a Maven repository), checked to be an OSGi bundle and copied into {@code system/} in repository layout;
 * each feature is written to {@code features/} with its placeholders resolved, for the launcher to read.
 */
@Mojo(name = "assemble", defaultPhase = LifecyclePhase.PACKAGE, threadSafe = true)
public class AssembleMojo extends AbstractMojo {

    @Parameter(defaultValue = "${maven.multiModuleProjectDirectory}/features", required = true)
    private File features;

    @Parameter(defaultValue = "${project.build.directory}/penni", required = true)
    private File output;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${repositorySystemSession}", readonly = true, required = true)
    private RepositorySystemSession repositorySession;

    @Parameter(defaultValue = "${project.remoteProjectRepositories}", readonly = true, required = true)
    private List<RemoteRepository> remoteRepositories;

    @Component
    private RepositorySystem repositorySystem;

    @Override
    public void execute() throws MojoExecutionException {
        Map<String, String> variables = Map.of("project.version", project.getVersion());
        Path system = output.toPath().resolve("system");
        Path resolvedFeatures = output.toPath().resolve("features");
        Map<String, String> symbolicNames = new HashMap<>();
        int bundles = 0;
        try {
            List<Path> files = FeatureReader.list(features.toPath());
            if (files.isEmpty()) {
                throw new MojoExecutionException("no feature files (*.json) in " + features);
            }
            deleteFolder(resolvedFeatures);
            for (Path file : files) {
                Feature feature = FeatureReader.read(file, variables);
                for (FeatureBundle bundle : feature.bundles()) {
                    Path jar = resolve(bundle.id(), file);
                    String symbolicName = symbolicName(jar, bundle.id(), file);
                    String previous = symbolicNames.putIfAbsent(symbolicName, bundle.id().toString());
                    if (previous != null && !previous.equals(bundle.id().toString())) {
                        throw new MojoExecutionException(file + ": bundle " + symbolicName + " is named twice, as "
                                + previous + " and " + bundle.id());
                    }
                    Path target = system.resolve(bundle.id().repositoryPath());
                    Files.createDirectories(target.getParent());
                    Files.copy(jar, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                    bundles++;
                }
                FeatureReader.writeResolved(file, variables, resolvedFeatures.resolve(file.getFileName()));
                getLog().info("feature " + feature.id().artifactId() + ": " + feature.bundles().size() + " bundles");
            }
            getLog().info("assembled " + files.size() + " features, " + bundles + " bundles into " + output);
        } catch (FeatureException e) {
            throw new MojoExecutionException(e.getMessage());
        } catch (IOException e) {
            throw new MojoExecutionException("cannot assemble " + output + ": " + e.getMessage(), e);
        }
    }

    private Path resolve(ArtifactCoordinates id, Path feature) throws MojoExecutionException {
        for (MavenProject module : session.getProjects()) {
            if (module.getGroupId().equals(id.groupId()) && module.getArtifactId().equals(id.artifactId())
                    && module.getVersion().equals(id.version()) && id.classifier().isEmpty()) {
                File file = module.getArtifact().getFile();
                if (file == null || !file.isFile()) {
                    throw new MojoExecutionException(feature + ": " + id + " is a module of this build but is not "
                            + "packaged yet; build the whole project (mvn verify) rather than this module alone");
                }
                return file.toPath();
            }
        }
        ArtifactRequest request = new ArtifactRequest(
                new DefaultArtifact(id.groupId(), id.artifactId(), id.classifier(), id.type(), id.version()),
                remoteRepositories, null);
        try {
            return repositorySystem.resolveArtifact(repositorySession, request).getArtifact().getFile().toPath();
        } catch (ArtifactResolutionException e) {
            throw new MojoExecutionException(feature + ": cannot resolve " + id + ": " + e.getMessage(), e);
        }
    }

    private static String symbolicName(Path jar, ArtifactCoordinates id, Path feature) throws MojoExecutionException {
        try (JarFile file = new JarFile(jar.toFile())) {
            var manifest = file.getManifest();
            String name = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
            if (name == null) {
                throw new MojoExecutionException(feature + ": " + id + " is not an OSGi bundle (no Bundle-SymbolicName); "
                        + "wrap it as a bundle first");
            }
            return name.split(";")[0].trim();
        } catch (IOException e) {
            throw new MojoExecutionException(feature + ": " + id + " (" + jar + ") is not a readable jar", e);
        }
    }

    private static void deleteFolder(Path folder) throws IOException {
        if (Files.isDirectory(folder)) {
            try (var files = Files.walk(folder)) {
                for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
