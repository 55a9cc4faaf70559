package dev.gantry.core.gate;

import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A release asking to pass a gate.
 *
 * @param key service, environment and digest
 * @param image the digest-pinned image
 * @param tag the tag it arrived with; may be null
 * @param pushedAt when it was pushed, if known
 * @param triggeredBy who set it going, as far as the event tells: Slack user ids, commit e-mail addresses or
 *     author names, IAM ARNs; empty when the event does not say (an ECR push never does)
 * @param origin what brought it to the gate
 * @param arrival identifies this arrival (a push's event id, the first job of a pipeline run, an ECS service
 *     deployment); null when the caller only asks again about the round already at the gate
 * @param pipelineExecution the CodePipeline execution the asking action runs in, when its job says; null for every
 *     other caller. A round its gate action passed is that execution's pass: see {@link GateRecord#executionPasses()}
 */
public record GateSubject(ReleaseKey key, String image, String tag, Instant pushedAt, List<String> triggeredBy, GateOrigin origin,
        String arrival, String pipelineExecution) {

    public GateSubject(ReleaseKey key, String image, String tag, Instant pushedAt, List<String> triggeredBy, GateOrigin origin) {
        this(key, image, tag, pushedAt, triggeredBy, origin, null, null);
    }

    public GateSubject(ReleaseKey key, String image, String tag, Instant pushedAt, List<String> triggeredBy, GateOrigin origin,
            String arrival) {
        this(key, image, tag, pushedAt, triggeredBy, origin, arrival, null);
    }

    public GateSubject {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(origin, "origin");
        triggeredBy = triggeredBy == null ? List.of() : triggeredBy.stream().filter(t -> t != null && !t.isBlank()).toList();
    }
}
