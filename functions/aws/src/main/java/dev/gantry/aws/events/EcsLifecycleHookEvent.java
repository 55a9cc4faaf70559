package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.io.InputStream;

/**
 * Reads the payload ECS sends a deployment lifecycle hook: which service is being deployed, to which service
 * revision, at which lifecycle stage.
 *
 * <p>ECS sends {@code serviceArn} and {@code targetServiceRevisionArn} in an {@code executionDetails} object, next to
 * top-level {@code executionId} and {@code lifecycleStage}: the shape the current ECS Developer Guide documents for every
 * stage. An earlier revision of the guide gave those fields at the top level, so they are read from there too (nested
 * first), and a payload in either shape is gated the same rather than rejected.
 *
 * <p>Errors: {@link dev.gantry.core.release.MalformedEventException} naming the field that is missing or wrong.
 */
public final class EcsLifecycleHookEvent {

    private EcsLifecycleHookEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Payload(String serviceArn, String targetServiceRevisionArn, String lifecycleStage, String executionId,
            Details executionDetails) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Details(String serviceArn, String targetServiceRevisionArn, String lifecycleStage) {}

    /**
     * @param serviceArn the service being deployed
     * @param targetServiceRevisionArn the revision being deployed
     * @param lifecycleStage the stage, e.g. {@code PRE_SCALE_UP}; null when the payload does not say
     * @param executionId the hook execution's id; null when the payload does not say
     */
    public record Hook(String serviceArn, String targetServiceRevisionArn, String lifecycleStage, String executionId) {}

    public static Hook parse(InputStream json) {
        Payload payload = read(json, Payload.class);
        Details nested = payload.executionDetails();
        String serviceArn = nested != null && nested.serviceArn() != null ? nested.serviceArn() : payload.serviceArn();
        String revision = nested != null && nested.targetServiceRevisionArn() != null
                ? nested.targetServiceRevisionArn()
                : payload.targetServiceRevisionArn();
        String stage = payload.lifecycleStage() != null ? payload.lifecycleStage() : nested == null ? null : nested.lifecycleStage();
        return new Hook(required(serviceArn, "serviceArn"), required(revision, "targetServiceRevisionArn"), stage, payload.executionId());
    }
}
