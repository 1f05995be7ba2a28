package io.penni.workflow.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.penni.api.artifact.ArtifactRef;
import io.penni.api.artifact.ArtifactStore;
import io.penni.model.ModelArtifacts;
import io.penni.model.ModelDeployment;
import io.penni.model.ModelRepositoryFolder;

/**
 * Deploys a completed job's compressed model when its request's {@code deploy} asks: the next version of the named
 * model in this container's model repository, with a deployment file naming the job as its source, so the serving
 * endpoint picks it up. Once per job: a version deployed from the job before (a task run again after a crash, a job
 * submitted again) is kept, not written twice.
 */
final class JobDeployer {

    private final Path repository;

    /**
     * @param repository the model repository folder the serving endpoint reads
     */
    JobDeployer(Path repository) {
        this.repository = repository;
    }

    /**
     * Deploys the job's model if its request asks.
     *
     * @param jobId the job
     * @param request the request as accepted (its {@code deploy} field validated by the schema)
     * @param store the artifact store
     * @param artifacts the job's artifacts, the compressed model and weights among them
     * @return what the job.completed event says about it: the name, version and endpoint, or the name and why it was
     *         not deployed; empty when the request does not ask
     */
    Optional<Map<String, Object>> deploy(String jobId, JsonNode request, ArtifactStore store,
            Map<String, ArtifactRef> artifacts) {
        JsonNode spec = request.path("deploy");
        if (!spec.isObject()) {
            return Optional.empty();
        }
        String name = spec.path("name").asText("job-" + jobId);
        Map<String, Object> said = new LinkedHashMap<>();
        said.put("name", name);
        String source = "job " + jobId;
        try {
            ModelRepositoryFolder.Deployed deployed = ModelRepositoryFolder.deployedFrom(repository, name, source)
                    .orElse(null);
            if (deployed == null) {
                ObjectNode settings = ((ObjectNode) spec).deepCopy();
                settings.remove("name");
                settings.put("source", source);
                ModelDeployment deployment = ModelDeployment.of(settings);
                ArtifactRef model = artifacts.get(ModelArtifacts.MODEL);
                ArtifactRef weights = artifacts.get(ModelArtifacts.WEIGHTS);
                if (model == null || weights == null) {
                    throw new IOException("the job has no compressed model and weights to deploy");
                }
                deployed = ModelRepositoryFolder.writeNext(repository, name, deployment, (g, w) -> {
                    Files.copy(store.open(model), g);
                    Files.copy(store.open(weights), w);
                });
            }
            said.put("version", deployed.version());
            said.put("endpoint", "/v2/models/" + name + "/versions/" + deployed.version());
        } catch (IOException | RuntimeException e) {
            said.put("error", "not deployed: " + e.getMessage());
        }
        return Optional.of(said);
    }
}
