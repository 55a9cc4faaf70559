package dev.gantry.core.deploy;

import dev.gantry.core.image.ImageReference;
import java.time.Instant;

/**
 * A digest-pinned image to deploy to a service.
 *
 * @param service the service name from the configuration
 * @param environment the one environment to deploy to, or null for every environment the service has
 * @param image the image, pinned to its digest (see {@link ImageReference#ecr})
 * @param tag the tag it was pushed or handed over with; shown to people, never deployed by
 * @param eventId what asked for it: an event id, a pipeline job id
 * @param pushedAt when the image was pushed, if known; orders releases whose tags do not
 */
public record DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt) {

    public DeployRequest {
        if (image.digest() == null) {
            throw new IllegalArgumentException("a deploy needs an image pinned to its digest, got " + image);
        }
    }
}
