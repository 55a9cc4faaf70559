package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.instant;
import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.DeploymentStateChange;
import dev.gantry.core.rollout.DeploymentStateChange.Kind;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EventBridge {@code ECS Deployment State Change} event, read into a {@link DeploymentStateChange}.
 * Unknown fields are ignored (AWS adds fields without notice); missing or mistyped ones are rejected
 * naming the field. {@code detail.reason} may be absent: it explains, and decides nothing.
 */
public final class EcsDeploymentStateChangeEvent {

    public static final String SOURCE = "aws.ecs";
    public static final String DETAIL_TYPE = "ECS Deployment State Change";

    /** {@code arn:<partition>:ecs:<region>:<account>:service/<cluster>/<service>}: the long ARN format, which names the cluster. */
    private static final Pattern SERVICE_ARN = Pattern.compile("arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\\d{12}):service/([^/]+)/([^/]+)");

    private EcsDeploymentStateChangeEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(
            String id,
            @JsonProperty("detail-type") String detailType,
            String source,
            List<String> resources,
            Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(String eventName, String deploymentId, String updatedAt, String reason) {}

    public static DeploymentStateChange parse(InputStream json) {
        Envelope event = read(json, Envelope.class);
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected an '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        return new DeploymentStateChange(
                required(event.id(), "id"),
                service(event.resources()),
                kind(required(detail.eventName(), "detail.eventName")),
                required(detail.deploymentId(), "detail.deploymentId"),
                detail.reason(),
                instant(detail.updatedAt(), "detail.updatedAt"));
    }

    private static EcsServiceRef service(List<String> resources) {
        if (resources == null || resources.isEmpty() || resources.get(0) == null) {
            throw new MalformedEventException("resources[0]: missing (the service ARN)");
        }
        Matcher arn = SERVICE_ARN.matcher(resources.get(0));
        if (!arn.matches()) {
            throw new MalformedEventException("resources[0]: '" + resources.get(0)
                    + "' is not an ECS service ARN of the form arn:aws:ecs:<region>:<account>:service/<cluster>/<service>");
        }
        return new EcsServiceRef(arn.group(2), arn.group(1), arn.group(3), arn.group(4));
    }

    private static Kind kind(String eventName) {
        return switch (eventName) {
            case "SERVICE_DEPLOYMENT_IN_PROGRESS" -> Kind.IN_PROGRESS;
            case "SERVICE_DEPLOYMENT_COMPLETED" -> Kind.COMPLETED;
            case "SERVICE_DEPLOYMENT_FAILED" -> Kind.FAILED;
            default -> throw new MalformedEventException("detail.eventName: '" + eventName + "' is none of SERVICE_DEPLOYMENT_IN_PROGRESS,"
                    + " SERVICE_DEPLOYMENT_COMPLETED, SERVICE_DEPLOYMENT_FAILED");
        };
    }
}
