package dev.gantry.core.notify;

import dev.gantry.core.deploy.TaskDefinitionArn;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Links into the AWS console for what a release thread talks about. Each answers empty when it lacks the region (or
 * the names) to build one, because a wrong link is worse than none.
 */
public final class ConsoleLinks {

    private ConsoleLinks() {}

    public static Optional<String> ecsService(String region, String cluster, String service) {
        if (blank(region) || blank(cluster) || blank(service)) {
            return Optional.empty();
        }
        return Optional.of(console(region) + "/ecs/v2/clusters/" + path(cluster) + "/services/" + path(service) + "/health?region=" + region);
    }

    /** The revision's page; the region comes from the ARN. */
    public static Optional<String> taskDefinition(String taskDefinitionArn) {
        if (TaskDefinitionArn.familyOf(taskDefinitionArn).isEmpty()) {
            return Optional.empty();
        }
        TaskDefinitionArn arn = TaskDefinitionArn.parse(taskDefinitionArn);
        String[] parts = taskDefinitionArn.split(":");
        String partition = parts[1];
        String region = parts[3];
        return Optional.of(console(partition, region) + "/ecs/v2/task-definitions/" + path(arn.family()) + "/" + arn.revision()
                + "/containers?region=" + region);
    }

    public static Optional<String> pipelineExecution(String region, String pipeline, String executionId) {
        if (blank(region) || blank(pipeline) || blank(executionId)) {
            return Optional.empty();
        }
        return Optional.of(console(region) + "/codesuite/codepipeline/pipelines/" + path(pipeline) + "/executions/" + path(executionId)
                + "/timeline?region=" + region);
    }

    /** A build's page, logs included. CodeBuild's own events carry a deep link to the logs; prefer that when there is one. */
    public static Optional<String> build(String region, String account, String project, String buildId) {
        if (blank(region) || blank(account) || blank(project) || blank(buildId)) {
            return Optional.empty();
        }
        return Optional.of(console(region) + "/codesuite/codebuild/" + account + "/projects/" + path(project) + "/build/" + path(buildId)
                + "/?region=" + region);
    }

    public static Optional<String> alarm(String region, String alarmName) {
        if (blank(region) || blank(alarmName)) {
            return Optional.empty();
        }
        return Optional.of(console(region) + "/cloudwatch/home?region=" + region + "#alarmsV2:alarm/" + path(alarmName));
    }

    private static String console(String region) {
        return console(region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws", region);
    }

    private static String console(String partition, String region) {
        return switch (partition) {
            case "aws-cn" -> "https://" + region + ".console.amazonaws.cn";
            case "aws-us-gov" -> "https://" + region + ".console.amazonaws-us-gov.com";
            default -> "https://" + region + ".console.aws.amazon.com";
        };
    }

    /** Names may hold characters a URL path does not (a build id's ':', an alarm's spaces). */
    private static String path(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
