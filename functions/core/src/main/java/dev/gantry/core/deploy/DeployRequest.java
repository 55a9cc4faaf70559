package dev.gantry.core.deploy;

import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import java.time.Instant;
import java.util.List;

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
 * @param rollbackFrom null for a release; for a rollback, the digest the environment ran when the rollback was
 *     asked for. Such a request returns {@code environment} to {@code image}, a release that ran there before, and
 *     is carried out only while the environment still runs {@code rollbackFrom} (see {@link DeployService#deploy})
 * @param pipelineExecution the CodePipeline execution whose deploy action asks, when its job says: the gate's pass for that
 *     execution lets it in (see {@link dev.gantry.core.gate.GateRecord#executionPasses()}). Null otherwise
 */
public record DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt,
        List<String> triggeredBy, GateOrigin gateOrigin, ImageDigest rollbackFrom, String pipelineExecution) {

    public DeployRequest {
        if (image.digest() == null) {
            throw new IllegalArgumentException("a deploy needs an image pinned to its digest, got " + image);
        }
        if (rollbackFrom != null && environment == null) {
            throw new IllegalArgumentException("a rollback returns one environment, but none was named");
        }
        triggeredBy = triggeredBy == null ? List.of() : List.copyOf(triggeredBy);
        gateOrigin = gateOrigin == null ? GateOrigin.DEPLOY : gateOrigin;
    }

    public DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt,
            List<String> triggeredBy, GateOrigin gateOrigin) {
        this(service, environment, image, tag, eventId, pushedAt, triggeredBy, gateOrigin, null, null);
    }

    /**
     * What a pipeline's deploy action asks for, in execution {@code pipelineExecution} (null when its job does not say), of an
     * image pushed at {@code pushedAt} (null when the registry cannot say). It is ordered against what the environment runs
     * as a push is: see {@link #ordered()}.
     */
    public static DeployRequest fromPipeline(String service, String environment, ImageReference image, String tag, Instant pushedAt,
            String jobId, List<String> triggeredBy, String pipelineExecution) {
        return new DeployRequest(service, environment, image, tag, jobId, pushedAt, triggeredBy, GateOrigin.PIPELINE, null,
                pipelineExecution);
    }

    public DeployRequest(String service, String environment, ImageReference image, String tag, String eventId, Instant pushedAt) {
        this(service, environment, image, tag, eventId, pushedAt, List.of(), GateOrigin.DEPLOY);
    }

    /** A rollback of {@code environment} from {@code from} to {@code image}, asked for by {@code triggeredBy}. */
    public static DeployRequest rollback(String service, String environment, ImageReference image, String tag, String eventId,
            Instant pushedAt, List<String> triggeredBy, ImageDigest from) {
        return new DeployRequest(service, environment, image, tag, eventId, pushedAt, triggeredBy, GateOrigin.DEPLOY, from, null);
    }

    public boolean isRollback() {
        return rollbackFrom != null;
    }

    /**
     * Whether this request is held back when it is older than what its environment runs (decision 9), as a push is. A
     * pipeline's is: a late run of an older build would otherwise replace a newer one that another run deployed. A
     * person's explicit deploy and a rollback are not: going back is what they ask for.
     */
    public boolean ordered() {
        return gateOrigin == GateOrigin.PIPELINE && !isRollback();
    }
}
