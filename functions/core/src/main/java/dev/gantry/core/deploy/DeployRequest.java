package dev.gantry.core.deploy;

import dev.gantry.core.gate.GateOrigin;
import java.util.List;

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
 * @param triggeredBy who set the release going, as far as the trigger tells; a gate keeps them from
 *     approving it. Empty when unknown
 * @param gateOrigin who carries the release on when a gate holds it: Gantry itself
 *     ({@link GateOrigin#DEPLOY}, the gate sweep deploys it when the gate passes) or a pipeline
 *     ({@link GateOrigin#PIPELINE}, the pipeline runs again)
 */
public record DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt,
        List<String> triggeredBy, GateOrigin gateOrigin) {

    public DeployRequest {
        if (image.digest() == null) {
            throw new IllegalArgumentException("a deploy needs an image pinned to its digest, got " + image);
        }
        triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
        gateOrigin = gateOrigin == null ? GateOrigin.DEPLOY : gateOrigin;
    }

    public DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt) {
        this(service, environment, image, tag, eventId, pushedAt, List.of(), GateOrigin.DEPLOY);
    }
}
