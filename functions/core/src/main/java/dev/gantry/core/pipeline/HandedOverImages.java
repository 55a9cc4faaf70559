package dev.gantry.core.pipeline;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactImagePolicy.HandedOverImage;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image a pipeline job hands over in its input artifact ({@code imagedefinitions.json} or
 * {@code imageDetail.json}), pinned to its digest: what the deploy action deploys and the gate action gates.
 *
 * <p>Errors: {@link PipelineJobException} for a problem with the job's artifacts or the image it names;
 * {@link ArtifactReader.ArtifactReadException} and the {@link ImageRegistry} exceptions from reading them.
 */
final class HandedOverImages {

    private static final Logger LOG = LoggerFactory.getLogger(HandedOverImages.class);

    private final ArtifactReader artifacts;
    private final ImageRegistry registry;

    HandedOverImages(ArtifactReader artifacts, ImageRegistry registry) {
        this.artifacts = artifacts;
        this.registry = registry;
    }

    /**
     * @param image the image pinned to its digest
     * @param tag the tag it was handed over with; empty when it came as a digest without one, because null would
     *     not survive the release record (the store writes the tag as a string attribute)
     * @param source which file of which artifact named it
     */
    record Pinned(ImageReference image, String tag, String source) {}

    Pinned pinned(PipelineJob job, ServiceConfig service, EnvironmentConfig environment) {
        HandedOverImage handedOver = handedOverImage(job, service, environment);
        String tag = handedOver.tag() != null ? handedOver.tag() : handedOver.image().digest() == null ? "latest" : "";
        return new Pinned(pin(handedOver), tag, handedOver.source());
    }

    /** The first input artifact that holds an image file decides; the others are not read. */
    private HandedOverImage handedOverImage(PipelineJob job, ServiceConfig service, EnvironmentConfig environment) {
        if (job.inputArtifacts().isEmpty()) {
            throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "the action has no input artifact: give it the artifact"
                    + " that holds " + PipelineArtifact.IMAGE_DEFINITIONS + " or " + PipelineArtifact.IMAGE_DETAIL);
        }
        List<String> without = new ArrayList<>();
        for (ArtifactLocation location : job.inputArtifacts()) {
            byte[] zip = artifacts.read(location, job.access(), PipelineArtifact.MAX_ARTIFACT_BYTES);
            PipelineArtifact artifact = PipelineArtifact.unzip(location, zip);
            if (artifact.hasImageFile()) {
                return ArtifactImagePolicy.choose(service, environment, artifact);
            }
            without.add(location.name() + " (it has: " + artifact.describeEntries() + ")");
        }
        throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, "no input artifact holds " + PipelineArtifact.IMAGE_DEFINITIONS
                + " or " + PipelineArtifact.IMAGE_DETAIL + " at its root: " + String.join("; ", without));
    }

    /** The handed-over image pinned to its digest: as given, or the digest its tag points at now. */
    private ImageReference pin(HandedOverImage handedOver) {
        ImageReference image = handedOver.image();
        if (image.digest() != null) {
            try {
                return new ImageReference(image.registry(), image.repository(), null, ImageDigest.parse(image.digest()).value());
            } catch (ImageDigest.InvalidDigestException e) {
                throw new PipelineJobException(JobFailureType.JOB_FAILED, handedOver.source() + " names " + image + ": " + e.getMessage(), e);
            }
        }
        if (image.ecrAccount().isEmpty()) {
            throw new PipelineJobException(JobFailureType.CONFIGURATION_ERROR, handedOver.source() + " names " + image
                    + ", which has no digest and is not in Amazon ECR, so Gantry cannot pin it: hand over repository@sha256:<digest>");
        }
        // No tag means "latest", as for docker pull; pinning it now is what makes the deploy repeatable.
        ImageReference tagged = image.tag() != null ? image : new ImageReference(image.registry(), image.repository(), "latest", null);
        ImageDigest digest = registry.digestOf(tagged);
        LOG.info("pinned {} to {}", tagged, digest);
        return new ImageReference(image.registry(), image.repository(), null, digest.value());
    }

}
