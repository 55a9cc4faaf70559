package dev.gantry.core.pipeline;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.pipeline.PipelineArtifact.ImageDefinition;
import dev.gantry.core.pipeline.PipelineArtifact.ImageDetail;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which image of a pipeline artifact a service environment is to run. Pure.
 *
 * <ol>
 *   <li>{@code imageDetail.json}, when its {@code ImageURI} is in the service's ECR repository: it names
 *       one image, already pinned to its digest.</li>
 *   <li>Otherwise the {@code imagedefinitions.json} entries whose {@code imageUri} is in the service's ECR
 *       repository, or whose {@code name} is one of the environment's configured containers. They must
 *       name exactly one image: an artifact for several services is fine, an ambiguous one is not.</li>
 * </ol>
 *
 * <p>The repository is matched by name in any ECR registry, so images kept in a central registry
 * account are found. Errors: {@link PipelineJobException} ({@link JobFailureType#CONFIGURATION_ERROR})
 * when no image, or more than one, belongs to the service.
 */
public final class ArtifactImagePolicy {

    private ArtifactImagePolicy() {}

    /**
     * The image a pipeline handed over, as it was written: it may be pinned to a digest or carry only a tag.
     *
     * @param image the image reference as the artifact gives it
     * @param tag the tag it carries, or the first tag {@code imageDetail.json} lists; null when none is known
     * @param source which file and entry it came from, for messages
     */
    public record HandedOverImage(ImageReference image, String tag, String source) {}

    public static HandedOverImage choose(ServiceConfig service, EnvironmentConfig environment, PipelineArtifact artifact) {
        Optional<ImageDetail> detail = artifact.imageDetail();
        if (detail.isPresent()) {
            ImageReference image = ImageReference.parse(detail.get().imageUri());
            if (isServiceRepository(service, image)) {
                String tag = image.tag() != null ? image.tag() : detail.get().imageTags().stream().findFirst().orElse(null);
                return new HandedOverImage(image, tag, PipelineArtifact.IMAGE_DETAIL);
            }
            if (artifact.imageDefinitions().isEmpty()) {
                throw misfit(artifact, PipelineArtifact.IMAGE_DETAIL + " names " + detail.get().imageUri()
                        + ", which is not in ECR repository '" + service.repository() + "' that service '" + service.name()
                        + "' deploys from");
            }
        }
        List<ImageDefinition> entries = artifact.imageDefinitions().orElseThrow(() -> misfit(artifact,
                "neither " + PipelineArtifact.IMAGE_DEFINITIONS + " nor " + PipelineArtifact.IMAGE_DETAIL + " is at its root (it has: "
                        + artifact.describeEntries() + ")"));
        Map<String, ImageDefinition> matching = new LinkedHashMap<>();
        for (ImageDefinition entry : entries) {
            boolean ourRepository = isServiceRepository(service, ImageReference.parse(entry.imageUri()));
            boolean ourContainer = entry.name() != null && environment.containers().contains(entry.name());
            if (ourRepository || ourContainer) {
                matching.putIfAbsent(entry.imageUri(), entry);
            }
        }
        if (matching.isEmpty()) {
            throw misfit(artifact, PipelineArtifact.IMAGE_DEFINITIONS + " names no image of service '" + service.name()
                    + "': no imageUri is in ECR repository '" + service.repository() + "'"
                    + (environment.containers().isEmpty() ? "" : " and no name is one of the containers " + environment.containers()
                            + " of environment '" + environment.name() + "'")
                    + " (entries: " + describe(entries) + ")");
        }
        if (matching.size() > 1) {
            throw misfit(artifact, PipelineArtifact.IMAGE_DEFINITIONS + " names more than one image for service '" + service.name()
                    + "' (" + describe(new ArrayList<>(matching.values())) + "); it must name exactly one");
        }
        ImageDefinition chosen = matching.values().iterator().next();
        ImageReference image = ImageReference.parse(chosen.imageUri());
        return new HandedOverImage(image, image.tag(), PipelineArtifact.IMAGE_DEFINITIONS + " entry '" + chosen.name() + "'");
    }

    private static boolean isServiceRepository(ServiceConfig service, ImageReference image) {
        return image.ecrAccount().isPresent() && image.repository().equals(service.repository());
    }

    private static String describe(List<ImageDefinition> entries) {
        List<String> described = new ArrayList<>();
        for (ImageDefinition entry : entries) {
            described.add(entry.name() + " -> " + entry.imageUri());
        }
        return String.join(", ", described);
    }

    private static PipelineJobException misfit(PipelineArtifact artifact, String problem) {
        return new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "input artifact " + artifact.location().name() + ": " + problem);
    }
}
