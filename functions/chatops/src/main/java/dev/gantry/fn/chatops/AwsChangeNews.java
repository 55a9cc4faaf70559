package dev.gantry.fn.chatops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.release.MalformedEventException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * AWS's own state-change events, as EventBridge delivers them, translated into release-thread news: pipeline executions
 * and stages, CodeBuild builds Gantry started for a rebuild, the alarms gates watch, and Gantry's own alarms. An event
 * that concerns no thread (a build Gantry did not start, an alarm no waiting release watches and not Gantry's) becomes
 * no news. A pipeline action's state change is no thread's news either: it tells that a manual approval ended
 * ({@link #approvalEnded}), so that its card loses its buttons.
 */
final class AwsChangeNews {

    static final String PIPELINE_EXECUTION = "CodePipeline Pipeline Execution State Change";
    static final String STAGE_EXECUTION = "CodePipeline Stage Execution State Change";
    static final String BUILD = "CodeBuild Build State Change";
    static final String ACTION_EXECUTION = "CodePipeline Action Execution State Change";
    static final String ALARM = "CloudWatch Alarm State Change";
    static final List<String> DETAIL_TYPES = List.of(PIPELINE_EXECUTION, STAGE_EXECUTION, ACTION_EXECUTION, BUILD, ALARM);

    private final RebuildLedger rebuilds;
    private final AlarmThreads alarms;

    AwsChangeNews(RebuildLedger rebuilds, AlarmThreads alarms) {
        this.rebuilds = rebuilds;
        this.alarms = alarms;
    }

    List<ReleaseNews> of(JsonNode event) {
        String detailType = required(event, "detail-type");
        JsonNode detail = event.path("detail");
        if (!detail.isObject()) {
            throw new MalformedEventException("detail: missing");
        }
        Instant at = instant(required(event, "time"));
        String region = event.path("region").asText(null);
        return switch (detailType) {
            case PIPELINE_EXECUTION, STAGE_EXECUTION -> List.of(ReleaseNews.PipelineChanged.of(
                    required(detail, "pipeline", "detail.pipeline"),
                    required(detail, "execution-id", "detail.execution-id"),
                    STAGE_EXECUTION.equals(detailType) ? required(detail, "stage", "detail.stage") : null,
                    required(detail, "state", "detail.state"),
                    null, null, region, at));
            case ACTION_EXECUTION -> List.of();
            case BUILD -> build(detail, region, event.path("account").asText(null), at);
            case ALARM -> {
                String alarmName = required(detail, "alarmName", "detail.alarmName");
                String state = required(detail.path("state"), "value", "detail.state.value");
                String reason = detail.path("state").path("reason").asText("");
                String description = detail.path("configuration").path("description").asText("");
                yield alarms.threadsOf(alarmName, region).stream()
                        .map(thread -> (ReleaseNews) ReleaseNews.AlarmChanged.of(thread, alarmName, state, reason, region, description, at))
                        .toList();
            }
            default -> throw new MalformedEventException("detail-type: '" + detailType + "' is none of '"
                    + String.join("', '", DETAIL_TYPES) + "'");
        };
    }

    /**
     * The manual approval whose end {@code event} tells: an action of category {@code Approval} that SUCCEEDED, FAILED or
     * was ABANDONED. Empty for any other event, and for an approval action that started.
     *
     * @throws MalformedEventException when an approval action's event lacks what names the action, or its time
     */
    Optional<PipelineApprovalEnded> approvalEnded(JsonNode event) {
        JsonNode detail = event.path("detail");
        if (!ACTION_EXECUTION.equals(event.path("detail-type").asText()) || !"Approval".equals(detail.path("type").path("category").asText())) {
            return Optional.empty();
        }
        PipelineApprovalEnded.State state;
        switch (detail.path("state").asText()) {
            case "SUCCEEDED" -> state = PipelineApprovalEnded.State.SUCCEEDED;
            case "FAILED" -> state = PipelineApprovalEnded.State.FAILED;
            case "ABANDONED" -> state = PipelineApprovalEnded.State.ABANDONED;
            default -> {
                return Optional.empty();
            }
        }
        return Optional.of(new PipelineApprovalEnded(event.path("region").asText(null), required(detail, "pipeline", "detail.pipeline"),
                required(detail, "stage", "detail.stage"), required(detail, "action", "detail.action"),
                detail.path("execution-id").asText(null), state, instant(required(event, "time"))));
    }

    private List<ReleaseNews> build(JsonNode detail, String region, String account, Instant at) {
        String buildId = required(detail, "build-id", "detail.build-id");
        String project = required(detail, "project-name", "detail.project-name");
        String status = required(detail, "build-status", "detail.build-status");
        Optional<Rebuild> rebuild = rebuilds.findByBuildId(buildId);
        if (rebuild.isEmpty()) {
            return List.of();
        }
        ThreadKey thread = ThreadKey.rebuild(rebuild.get().root().baseRepository(), rebuild.get().root().baseDigest());
        String logs = detail.path("additional-information").path("logs").path("deep-link").asText(null);
        return List.of(ReleaseNews.BuildChanged.of(thread, project, buildId, status, logs, region, account, at));
    }

    private static String required(JsonNode node, String field) {
        return required(node, field, field);
    }

    private static String required(JsonNode node, String field, String path) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new MalformedEventException(path + ": missing");
        }
        return value.asText();
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new MalformedEventException("time: '" + text + "' is not an ISO-8601 instant");
        }
    }
}
