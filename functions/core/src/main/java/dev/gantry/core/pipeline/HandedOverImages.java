package dev.gantry.core.pipeline;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactImagePolicy.HandedOverImage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image a pipeline job hands over in its input artifact ({@code imagedefinitions.json} or
 * {@code imageDetail.json}), pinned to its digest: what the deploy action deploys and the gate action gates.
 *
 * <p>An image in Amazon ECR is looked up in its registry, by tag or by digest, which also tells when it was pushed.
 *
 * <p>Errors: {@link PipelineJobException} for a problem with the job's artifacts or the image it names;
 * {@link ArtifactReader.ArtifactReadException} and the {@link ImageRegistry} exceptions from reading them (an image
 * in ECR that is not there is {@link ImageRegistry.ImageNotFoundException}).
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
     * @param pushedAt when the registry received the image; null for an image outside Amazon ECR, which Gantry cannot ask
     * @param source which file of which artifact named it
     */
    record Pinned(ImageReference image, String tag, Instant pushedAt, String source) {}

    Pinned pinned(PipelineJob job, ServiceConfig service, EnvironmentConfig environment) {
        HandedOverImage handedOver = handedOverImage(job, service, environment);
        String tag = handedOver.tag() != null ? handedOver.tag() : handedOver.image().digest() == null ? "latest" : "";
        ImageReference image = pinnable(handedOver);
        if (image.ecrAccount().isEmpty()) {
            // Only ECR is asked for push times, so this release carries none, and is ordered against the environment's
            // others as decision 9 has it without one: by version under a semver tag policy, and not at all otherwise
            // (the deploy path lets it in, a gate by arrival).
            return new Pinned(image, tag, null, handedOver.source());
        }
        // The artifact names the image only: the registry tells when it was pushed, which is what orders releases whose
        // tags do not (a late pipeline run for an older main-abc123 must not replace a newer one).
        ImageRegistry.PinnedImage found;
        try {
            found = registry.pin(image);
        } catch (ImageRegistry.ImageAccessDeniedException | IllegalArgumentException e) {
            if (handedOver.image().digest() == null) {
                throw e;
            }
            // An image handed over by digest needs the registry for its push time only. Gantry's role may not read it (a
            // central registry, another account's repository without a policy for Gantry) or the region may be one Gantry
            // has no client for: the release then goes without a push time, as an image outside ECR does, rather than
            // failing a deploy that needs nothing else from the registry. ECR failing or throttling is not that: going on
            // without the push time would skip newest-wins for a late run of an older image, so the job fails and is
            // retried.
            LOG.warn("no push time for {}: {}; it is ordered without one (decision 9)", image, e.getMessage());
            return new Pinned(image, tag, null, handedOver.source());
        }
        LOG.info("pinned {} to {}, pushed at {}", image, found.digest(), found.pushedAt());
        return new Pinned(new ImageReference(image.registry(), image.repository(), null, found.digest().value()), tag, found.pushedAt(),
                handedOver.source());
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

    /**
     * The handed-over image as the registry is asked about it: pinned to the digest it was given with, or by the tag it
     * names (none means "latest", as for docker pull; pinning it now is what makes the deploy repeatable).
     */
    private static ImageReference pinnable(HandedOverImage handedOver) {
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
        return image.tag() != null ? image : new ImageReference(image.registry(), image.repository(), "latest", null);
    }

}
