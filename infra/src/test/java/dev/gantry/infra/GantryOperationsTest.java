package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.infra.GantryOperationsProps.DeadLetters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.events.Rule;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
import software.amazon.awscdk.services.logs.LogGroup;
import software.amazon.awscdk.services.sqs.Queue;

class GantryOperationsTest {

    // The topic operators subscribe e-mail and pagers to by hand: a new logical id is a new topic without them. If this
    // fails, undo the change rather than update the value.
    private static final String PINNED_TOPIC_ID = "OperationsC48D56F6";

    private static final List<String> FUNCTIONS = List.of("ecs-deploy", "image-rebuild", "chatops-notify");
    private static final List<String> QUEUES = List.of("undelivered-events", "failed-invocations", "notify-dead-letters");

    @TempDir
    static Path dir;

    private static GantryOperations operations;
    private static Template template;
    private static TemplateJson json;
    private static Stack stack;

    @BeforeAll
    static void synthesize() {
        stack = stack("Gantry");
        operations = new GantryOperations(stack, "Operations", props(stack).rebuildFunction("image-rebuild").build());
        template = Template.fromStack(stack);
        json = new TemplateJson(template);
    }

    @Test
    void namesEveryAlarmAfterTheStackWithItsThresholdAndTellsTheTopicWhenItFiresAndWhenItIsOk() {
        for (String function : FUNCTIONS) {
            template.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("Gantry-" + function + "-errors", "AWS/Lambda", "Errors", "Sum",
                    1, "GreaterThanOrEqualToThreshold"));
            template.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("Gantry-" + function + "-throttles", "AWS/Lambda", "Throttles",
                    "Sum", 1, "GreaterThanOrEqualToThreshold"));
            template.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("Gantry-" + function + "-news-untold", "Gantry",
                    "Gantry-NewsUntold-" + function, "Sum", 1, "GreaterThanOrEqualToThreshold"));
        }
        for (String queue : QUEUES) {
            template.hasResourceProperties("AWS::CloudWatch::Alarm", alarm("Gantry-" + queue + "-depth", "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible", "Maximum", 0, "GreaterThanThreshold"));
        }
        template.resourceCountIs("AWS::CloudWatch::Alarm", 3 * FUNCTIONS.size() + QUEUES.size());
        assertThat(operations.getAlarms()).hasSize(3 * FUNCTIONS.size() + QUEUES.size())
                .allSatisfy((name, alarm) -> assertThat(name).startsWith(operations.alarmNamePrefix()));
    }

    /** An alarm on one datapoint of five minutes that missing data never fires, telling the topic both ways. */
    private static Map<String, Object> alarm(String name, String namespace, String metric, String statistic, int threshold, String operator) {
        Map<String, Object> topic = Map.of("Ref", PINNED_TOPIC_ID);
        return Map.ofEntries(
                Map.entry("AlarmName", name),
                Map.entry("Namespace", namespace),
                Map.entry("MetricName", metric),
                Map.entry("Statistic", statistic),
                Map.entry("Period", 300),
                Map.entry("Threshold", threshold),
                Map.entry("ComparisonOperator", operator),
                Map.entry("EvaluationPeriods", 1),
                Map.entry("DatapointsToAlarm", 1),
                Map.entry("TreatMissingData", "notBreaching"),
                Map.entry("AlarmActions", List.of(topic)),
                Map.entry("OKActions", List.of(topic)));
    }

    @Test
    void takesTheAlarmPrefixFromTheStackNameUnlessGivenOne() {
        Stack other = stack("GantryStaging");
        GantryOperations named = new GantryOperations(other, "Operations", props(other).namePrefix("gantry-ops").build());

        assertThat(operations.alarmNamePrefix()).isEqualTo("Gantry-");
        assertThat(named.alarmNamePrefix()).isEqualTo("gantry-ops-");
        Template.fromStack(other).hasResourceProperties("AWS::CloudWatch::Alarm", Map.of("AlarmName", "gantry-ops-ecs-deploy-errors"));
        Template.fromStack(other).hasResourceProperties("AWS::CloudWatch::Dashboard", Map.of("DashboardName", "gantry-ops-operations"));
        Template.fromStack(other).hasResourceProperties("AWS::Logs::MetricFilter", Map.of("MetricTransformations",
                List.of(Match.objectLike(Map.of("MetricNamespace", "Gantry", "MetricName", "gantry-ops-Deploys")))));
    }

    @Test
    void saysInEachAlarmWhatToDo() {
        Map<String, String> descriptions = descriptionsByName();

        assertThat(descriptions.get("Gantry-failed-invocations-depth"))
                .contains("requestPayload", "aws lambda invoke", "--invocation-type Event", "Poll for messages", "${FailedInvocations");
        assertThat(descriptions.get("Gantry-undelivered-events-depth")).contains("ERROR_MESSAGE", "TARGET_ARN", "aws lambda invoke");
        assertThat(descriptions.get("Gantry-notify-dead-letters-depth")).contains("Start DLQ redrive", "start-message-move-task");
        assertThat(descriptions.get("Gantry-ecs-deploy-errors")).contains("Logs Insights", "${EcsDeployLogGroup", "level = \"ERROR\"");
        assertThat(descriptions.get("Gantry-ecs-deploy-throttles")).contains("ConcurrentExecutions");
        // CloudWatch's limit, with room for the names the references resolve to.
        assertThat(descriptions.values()).allSatisfy(description -> assertThat(description.length()).isLessThan(900));
        assertThat(descriptions.values()).as("Slack mrkdwn reads angle brackets as links").allSatisfy(description ->
                assertThat(description.replaceAll("\\$\\{[^}]+}", "")).doesNotContain("<", ">", "&"));
    }

    @Test
    void encryptsTheTopicWithARotatedKeyCloudWatchMayUse() {
        String key = json.idOf("AWS::KMS::Key", "OperationsTopicKey");

        template.hasResourceProperties("AWS::SNS::Topic", Map.of("KmsMasterKeyId", Map.of("Fn::GetAtt", List.of(key, "Arn"))));
        template.hasResourceProperties("AWS::KMS::Key", Map.of(
                "EnableKeyRotation", true,
                "KeyPolicy", Map.of("Statement", Match.arrayWith(List.of(Match.objectLike(Map.of(
                        "Effect", "Allow",
                        "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                        "Action", List.of("kms:Decrypt", "kms:GenerateDataKey*"))))))));
    }

    @Test
    void refusesEveryRequestToTheTopicWithoutTlsAndLetsOnlyThisStacksAlarmsPublish() {
        template.hasResourceProperties("AWS::SNS::TopicPolicy", Map.of(
                "Topics", List.of(Map.of("Ref", PINNED_TOPIC_ID)),
                "PolicyDocument", Map.of("Statement", Match.arrayWith(List.of(
                        Match.objectLike(Map.of(
                                "Effect", "Deny",
                                "Condition", Map.of("Bool", Map.of("aws:SecureTransport", "false")))),
                        Match.objectLike(Map.of(
                                "Effect", "Allow",
                                "Principal", Map.of("Service", "cloudwatch.amazonaws.com"),
                                "Action", "sns:Publish",
                                "Condition", Map.of(
                                        "ArnLike", Map.of("aws:SourceArn", Match.anyValue()),
                                        "StringEquals", Map.of("aws:SourceAccount", "111111111111")))))))));
        Map<String, Object> policy = TemplateJson.properties(json.only("AWS::SNS::TopicPolicy"));
        String sourceArn = TemplateJson.list(TemplateJson.map(policy.get("PolicyDocument")).get("Statement")).stream()
                .map(TemplateJson::map)
                .filter(statement -> "Allow".equals(statement.get("Effect")))
                .map(statement -> TemplateJson.render(TemplateJson.map(TemplateJson.map(statement.get("Condition")).get("ArnLike"))
                        .get("aws:SourceArn")))
                .findFirst().orElseThrow();
        assertThat(sourceArn).isEqualTo("arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Gantry-*");
    }

    @Test
    void pinsTheTopicsLogicalId() {
        assertThat(template.findResources("AWS::SNS::Topic")).containsOnlyKeys(PINNED_TOPIC_ID);
        assertThat(operations.getTopic().getTopicArn()).isNotBlank();
    }

    @Test
    void showsEveryFunctionAndQueueOnTheDashboard() {
        template.hasResourceProperties("AWS::CloudWatch::Dashboard", Map.of("DashboardName", "Gantry-operations"));
        String body = dashboardBody(template);

        for (String function : FUNCTIONS) {
            assertThat(body).contains("\"label\":\"" + function + "\"");
        }
        for (String queue : QUEUES) {
            assertThat(body).contains("\"label\":\"" + queue + "\"");
        }
        assertThat(body).contains("${" + json.idOf("AWS::Lambda::Function", "EcsDeploy") + "}")
                .contains("${" + json.idOf("AWS::Logs::LogGroup", "EcsDeployLogGroup") + "}");
    }

    @Test
    void countsTheDeployAndGateLinesOfEveryFunctionByTheResultAndStatusTheyCarry() {
        List<String> everyLogGroup = List.of(
                "${" + json.idOf("AWS::Logs::LogGroup", "EcsDeployLogGroup") + "}",
                "${" + json.idOf("AWS::Logs::LogGroup", "ImageRebuildLogGroup") + "}",
                "/gantry/chatops-notify");

        assertThat(metricFilters("Gantry-Deploys")).extracting(filter -> TemplateJson.render(filter.get("LogGroupName")))
                .containsExactlyInAnyOrderElementsOf(everyLogGroup);
        assertThat(metricFilters("Gantry-Deploys")).allSatisfy(filter -> {
            assertThat(filter.get("FilterPattern")).isEqualTo("{ $.deployResult = \"*\" }");
            assertThat(transformation(filter)).isEqualTo(Map.of("MetricNamespace", "Gantry", "MetricName", "Gantry-Deploys",
                    "MetricValue", "1", "Unit", "Count", "Dimensions", List.of(Map.of("Key", "Result", "Value", "$.deployResult"))));
        });
        assertThat(metricFilters("Gantry-GateAnswers")).extracting(filter -> TemplateJson.render(filter.get("LogGroupName")))
                .containsExactlyInAnyOrderElementsOf(everyLogGroup);
        assertThat(metricFilters("Gantry-GateAnswers")).allSatisfy(filter -> {
            assertThat(filter.get("FilterPattern")).isEqualTo("{ $.gateStatus = \"*\" }");
            assertThat(transformation(filter)).isEqualTo(Map.of("MetricNamespace", "Gantry", "MetricName", "Gantry-GateAnswers",
                    "MetricValue", "1", "Unit", "Count", "Dimensions", List.of(Map.of("Key", "Status", "Value", "$.gateStatus"))));
        });
    }

    @Test
    void takesRebuildsInFlightFromTheNumberTheRebuildFunctionLogs() {
        assertThat(metricFilters("Gantry-RebuildsInFlight")).singleElement().satisfies(filter -> {
            assertThat(TemplateJson.render(filter.get("LogGroupName")))
                    .isEqualTo("${" + json.idOf("AWS::Logs::LogGroup", "ImageRebuildLogGroup") + "}");
            assertThat(filter.get("FilterPattern")).isEqualTo("{ $.rebuildsInFlight >= 0 }");
            assertThat(transformation(filter)).isEqualTo(Map.of("MetricNamespace", "Gantry", "MetricName", "Gantry-RebuildsInFlight",
                    "MetricValue", "$.rebuildsInFlight", "Unit", "Count"));
        });
        template.resourceCountIs("AWS::Logs::MetricFilter", 3 * FUNCTIONS.size() + 1);
    }

    /**
     * News a function could not tell leaves its invocation successful, so no error alarm fires: each function's own line
     * saying so is counted, and alarmed on with a runbook that names its log group.
     */
    @Test
    void alarmsOnEveryFunctionsLineSayingItsNewsWasNotTold() {
        for (String function : FUNCTIONS) {
            assertThat(metricFilters("Gantry-NewsUntold-" + function)).singleElement().satisfies(filter -> {
                assertThat(filter.get("FilterPattern")).isEqualTo("{ $.newsUntold = \"*\" }");
                assertThat(transformation(filter)).isEqualTo(Map.of("MetricNamespace", "Gantry", "MetricName", "Gantry-NewsUntold-" + function,
                        "MetricValue", "1", "Unit", "Count"));
            });
            assertThat(descriptionsByName().get("Gantry-" + function + "-news-untold"))
                    .contains("could not tell it to the notify queue", "filter ispresent(newsUntold)");
        }
    }

    @Test
    void graphsDeploysGatesAndRebuildsFromTheMetricsAndReadsOnlyWhatNoMetricShowsFromTheLogs() {
        String body = dashboardBody(template);

        assertThat(body).contains("Deploys per hour by result")
                .contains(metric("Gantry-Deploys", "Result", "DEPLOYED", "deployed", "Sum", 3600))
                .contains(metric("Gantry-Deploys", "Result", "HELD", "held", "Sum", 3600))
                .contains(metric("Gantry-Deploys", "Result", "REFUSED", "refused", "Sum", 3600))
                .contains(metric("Gantry-GateAnswers", "Status", "WAITING", "held", "Sum", 3600))
                .contains(metric("Gantry-GateAnswers", "Status", "FAILED", "failed", "Sum", 3600))
                .contains(metric("Gantry-GateAnswers", "Status", "TIMED_OUT", "timed out", "Sum", 3600))
                .contains(metric("Gantry-GateAnswers", "Status", "PASSED", "passed", "Sum", 3600))
                // Five minutes is CloudWatch's default period, which the body leaves out.
                .contains("[\"Gantry\",\"Gantry-RebuildsInFlight\",{\"label\":\"rebuilds in flight\",\"stat\":\"Maximum\"}]")
                .contains("image-rebuild invocations", "\"Invocations\"");
        assertThat(body).as("deploys are no longer parsed out of messages").doesNotContain("(?<result>");
        assertThat(body).contains("Releases whose latest gate answer", "filter ispresent(gateStatus)", "latest(gateStatus) as status")
                .contains("@initDuration", "Restore Duration")
                .contains("\"p99\"", "\"Throttles\"", "\"Errors\"", "ApproximateNumberOfMessagesVisible")
                .contains("ConsumedWriteCapacityUnits", "ConditionalCheckFailedRequests")
                .contains("\"type\":\"alarm\"");
    }

    /** A graph line as the dashboard body holds it: namespace, name, dimension, then how it is drawn. */
    private static String metric(String name, String dimension, String value, String label, String statistic, int period) {
        return "[\"Gantry\",\"" + name + "\",\"" + dimension + "\",\"" + value + "\",{\"label\":\"" + label + "\",\"period\":" + period
                + ",\"stat\":\"" + statistic + "\"}]";
    }

    @Test
    void leavesRebuildsOffTheDashboardWhenNoFunctionRebuilds() {
        Stack other = stack("GantryWithoutRebuilds");
        new GantryOperations(other, "Operations", props(other).build());
        Template synthesized = Template.fromStack(other);

        assertThat(dashboardBody(synthesized)).doesNotContain("RebuildsInFlight", "Rebuilds in flight");
        synthesized.resourceCountIs("AWS::Logs::MetricFilter", 3 * FUNCTIONS.size());
    }

    @Test
    void takesTheLogGroupAFunctionWasBuiltWithAndCreatesNoOther() {
        template.resourceCountIs("Custom::LogRetention", 0);
        template.resourceCountIs("AWS::Logs::LogGroup", FUNCTIONS.size() - 1);
        assertThat(dashboardBody(template)).contains("${" + json.idOf("AWS::Logs::LogGroup", "ImageRebuildLogGroup") + "}")
                .contains("/gantry/chatops-notify");
    }

    @Test
    void matchesItsAlarmsStateChangesByNamePrefix() {
        Stack other = stack("GantryRouting");
        GantryOperations routed = new GantryOperations(other, "Operations", props(other).build());

        Rule.Builder.create(other, "OperationsAlarmRule").eventPattern(routed.alarmStateChangePattern()).build();

        Template.fromStack(other).hasResourceProperties("AWS::Events::Rule", Map.of("EventPattern", Map.of(
                "source", List.of("aws.cloudwatch"),
                "detail-type", List.of("CloudWatch Alarm State Change"),
                "detail", Map.of("alarmName", List.of(Map.of("prefix", "GantryRouting-"))))));
    }

    @Test
    void refusesWhatWouldMakeAmbiguousOrBrokenAlarms() {
        Stack other = stack("GantryRefusals");
        Queue queue = Queue.Builder.create(other, "Queue").build();

        assertThatThrownBy(() -> GantryOperationsProps.builder().deadLetterQueue("a queue", queue, DeadLetters.FAILED_INVOCATIONS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'a queue'");
        assertThatThrownBy(() -> GantryOperationsProps.builder().deadLetterQueue("q", queue, DeadLetters.FAILED_INVOCATIONS)
                .deadLetterQueue("q", queue, DeadLetters.UNDELIVERED_EVENTS))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("watched twice");
        assertThatThrownBy(() -> props(other).rebuildFunction("image-builder").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'image-builder' is none of the watched functions");
        assertThatThrownBy(() -> GantryOperationsProps.builder().stateTable(Table.fromTableName(other, "Imported", "gantry-state")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one function");
    }

    private static Stack stack(String name) {
        App app = new App(AppProps.builder().outdir(dir.resolve(name).toString()).build());
        return new Stack(app, name, StackProps.builder()
                .env(Environment.builder().account("111111111111").region("eu-west-1").build())
                .build());
    }

    /** Functions as GantryFunction builds them (two of them), and one imported with its log group by name. */
    private static GantryOperationsProps.Builder props(Stack stack) {
        Path code = asset();
        GantryOperationsProps.Builder props = GantryOperationsProps.builder().stateTable(table(stack));
        for (String name : FUNCTIONS.subList(0, 2)) {
            String id = GantryOperations.pascal(name);
            LogGroup logGroup = LogGroup.Builder.create(stack, id + "LogGroup").build();
            props.function(name, Function.Builder.create(stack, id)
                    .runtime(Runtime.JAVA_21)
                    .handler("dev.gantry.Handler::handleRequest")
                    .code(Code.fromAsset(code.toString()))
                    .logGroup(logGroup)
                    .build());
        }
        props.function("chatops-notify", Function.fromFunctionName(stack, "ChatopsNotify", "gantry-chatops-notify"),
                LogGroup.fromLogGroupName(stack, "ChatopsNotifyLogGroup", "/gantry/chatops-notify"));
        props.deadLetterQueue("undelivered-events", Queue.Builder.create(stack, "UndeliveredEvents").build(), DeadLetters.UNDELIVERED_EVENTS);
        props.deadLetterQueue("failed-invocations", Queue.Builder.create(stack, "FailedInvocations").build(), DeadLetters.FAILED_INVOCATIONS);
        props.deadLetterQueue("notify-dead-letters", Queue.Builder.create(stack, "NotifyDeadLetters").fifo(true).build(),
                DeadLetters.EXHAUSTED_MESSAGES);
        return props;
    }

    private static Table table(Stack stack) {
        return Table.Builder.create(stack, "State")
                .partitionKey(Attribute.builder().name("pk").type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name("sk").type(AttributeType.STRING).build())
                .build();
    }

    private static Path asset() {
        try {
            Path code = dir.resolve("code");
            Files.createDirectories(code);
            Files.writeString(code.resolve("handler.txt"), "stands in for the function jar");
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, String> descriptionsByName() {
        return json.resources("AWS::CloudWatch::Alarm").values().stream()
                .map(TemplateJson::properties)
                .collect(java.util.stream.Collectors.toMap(p -> (String) p.get("AlarmName"), p -> TemplateJson.render(p.get("AlarmDescription"))));
    }

    private static List<Map<String, Object>> metricFilters(String metricName) {
        return json.resources("AWS::Logs::MetricFilter").values().stream()
                .map(TemplateJson::properties)
                .filter(filter -> metricName.equals(transformation(filter).get("MetricName")))
                .toList();
    }

    private static Map<String, Object> transformation(Map<String, Object> filter) {
        List<Object> transformations = TemplateJson.list(filter.get("MetricTransformations"));
        assertThat(transformations).hasSize(1);
        return TemplateJson.map(transformations.get(0));
    }

    private static String dashboardBody(Template synthesized) {
        return TemplateJson.render(TemplateJson.properties(new TemplateJson(synthesized).only("AWS::CloudWatch::Dashboard")).get("DashboardBody"));
    }
}
