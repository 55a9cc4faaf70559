package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.instant;
import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.TaskStateChange;
import dev.gantry.core.rollout.TaskStateChange.ContainerExit;
import java.io.InputStream;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The EventBridge {@code ECS Task State Change} event, read into a {@link TaskStateChange}. Unknown
 * fields are ignored (AWS adds fields without notice); missing or mistyped ones are rejected naming the
 * field. The stop fields and {@code group} are optional: a running task has no stop reason, and a task
 * no service started has a {@code family:} group.
 */
public final class EcsTaskStateChangeEvent {

    public static final String SOURCE = "aws.ecs";
    public static final String DETAIL_TYPE = "ECS Task State Change";

    private static final Pattern CLUSTER_ARN = Pattern.compile("arn:aws[a-z-]*:ecs:([a-z0-9-]+):(\\d{12}):cluster/([^/]+)");
    /** Tasks a service starts are in the group {@code service:<service name>}. */
    private static final String SERVICE_GROUP = "service:";

    private EcsTaskStateChangeEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(
            String id,
            @JsonProperty("detail-type") String detailType,
            String source,
            String time,
            Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(
            String clusterArn,
            String group,
            String taskArn,
            String taskDefinitionArn,
            String lastStatus,
            String stopCode,
            String stoppedReason,
            List<Container> containers) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Container(String name, Integer exitCode, String reason) {}

    public static TaskStateChange parse(InputStream json) {
        Envelope event = read(json, Envelope.class);
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected an '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        List<Container> containers = detail.containers() == null ? List.of() : detail.containers();
        for (int i = 0; i < containers.size(); i++) {
            if (containers.get(i) == null) {
                throw new MalformedEventException("detail.containers[" + i + "]: missing");
            }
            required(containers.get(i).name(), "detail.containers[" + i + "].name");
        }
        return new TaskStateChange(
                required(event.id(), "id"),
                service(required(detail.clusterArn(), "detail.clusterArn"), detail.group()),
                required(detail.taskArn(), "detail.taskArn"),
                required(detail.taskDefinitionArn(), "detail.taskDefinitionArn"),
                required(detail.lastStatus(), "detail.lastStatus"),
                detail.stopCode(),
                detail.stoppedReason(),
                containers.stream().map(c -> new ContainerExit(c.name(), c.exitCode(), c.reason())).toList(),
                instant(event.time(), "time"));
    }

    /** The service that started the task, or null when none did. */
    private static EcsServiceRef service(String clusterArn, String group) {
        Matcher cluster = CLUSTER_ARN.matcher(clusterArn);
        if (!cluster.matches()) {
            throw new MalformedEventException("detail.clusterArn: '" + clusterArn
                    + "' is not an ECS cluster ARN of the form arn:aws:ecs:<region>:<account>:cluster/<cluster>");
        }
        if (group == null || !group.startsWith(SERVICE_GROUP) || group.length() == SERVICE_GROUP.length()) {
            return null;
        }
        return new EcsServiceRef(cluster.group(2), cluster.group(1), cluster.group(3), group.substring(SERVICE_GROUP.length()));
    }
}
