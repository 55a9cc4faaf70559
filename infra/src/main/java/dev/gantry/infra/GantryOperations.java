package dev.gantry.infra;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.notify.NewsTeller;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.infra.GantryOperationsProps.WatchedFunction;
import dev.gantry.infra.GantryOperationsProps.WatchedQueue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.Token;
import software.amazon.awscdk.services.cloudwatch.Alarm;
import software.amazon.awscdk.services.cloudwatch.AlarmStatusWidget;
import software.amazon.awscdk.services.cloudwatch.ComparisonOperator;
import software.amazon.awscdk.services.cloudwatch.Dashboard;
import software.amazon.awscdk.services.cloudwatch.GraphWidget;
import software.amazon.awscdk.services.cloudwatch.IMetric;
import software.amazon.awscdk.services.cloudwatch.IWidget;
import software.amazon.awscdk.services.cloudwatch.LogQueryVisualizationType;
import software.amazon.awscdk.services.cloudwatch.LogQueryWidget;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.cloudwatch.TextWidget;
import software.amazon.awscdk.services.cloudwatch.TreatMissingData;
import software.amazon.awscdk.services.cloudwatch.Unit;
import software.amazon.awscdk.services.cloudwatch.YAxisProps;
import software.amazon.awscdk.services.cloudwatch.actions.SnsAction;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.events.EventPattern;
import software.amazon.awscdk.services.iam.Effect;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.iam.ServicePrincipal;
import software.amazon.awscdk.services.kms.Key;
import software.amazon.awscdk.services.logs.FilterPattern;
import software.amazon.awscdk.services.logs.MetricFilter;
import software.amazon.awscdk.services.sns.ITopic;
import software.amazon.awscdk.services.sns.Topic;
import software.constructs.Construct;

/**
 * Watches Gantry itself: an alarm for each dead-letter queue that holds anything, each function that fails an
 * invocation and each function Lambda throttles; an encrypted SNS topic every alarm tells when it fires and when it is
 * OK again; metric filters that turn the functions' outcome log lines into metrics; and a dashboard of deploys, gates,
 * rebuilds, dead letters, errors, cold starts, durations and throttles.
 *
 * <p>Every alarm is named {@code <prefix>-<name>-<what>} ({@code Gantry-ecs-deploy-errors},
 * {@code Gantry-failed-invocations-depth}), so one prefix ({@link #alarmNamePrefix()}) picks out Gantry's own alarms:
 * {@link #alarmStateChangePattern()} is the EventBridge pattern of their state changes, for the ChatOps notify
 * function, which tells them in Slack's default channel when its {@value #ALARM_PREFIX_ENV} is that prefix. Each alarm's
 * description says what to do, and missing data never fires one: a function not invoked has not failed.
 *
 * <p>The functions put no metric data themselves: a metrics library in every jar would cost each of them size and start
 * time. Their outcome lines carry JSON fields instead, and CloudWatch Logs metric filters on their log groups make metrics
 * of them in namespace {@value #METRIC_NAMESPACE}. A metric filter can only take a dimension's value from the log line,
 * so the prefix is in each metric's name:
 * <ul>
 *   <li>{@code <prefix>-Deploys}, by {@code Result} ({@code DEPLOYED}, {@code HELD}, {@code REFUSED}, ...): 1 per
 *       environment DeployService decided on, from {@code { $.deployResult = "*" }} on every function's log group;</li>
 *   <li>{@code <prefix>-GateAnswers}, by {@code Status} ({@code WAITING}, {@code PASSED}, {@code FAILED},
 *       {@code TIMED_OUT}, {@code SUPERSEDED}): 1 per gate evaluation stored, from {@code { $.gateStatus = "*" }}. A
 *       waiting release is evaluated again and again, so {@code WAITING} counts looks at held releases, not releases;</li>
 *   <li>{@code <prefix>-RebuildsInFlight}: the rebuilds holding a build slot after each event the rebuild function
 *       handled (the field's value; read it as a Maximum), from {@code { $.rebuildsInFlight >= 0 }} on that function's
 *       log group. The resume sweep is such an event every few minutes, so the metric does not fall silent while
 *       builds run.</li>
 * </ul>
 * Which releases are held now, and cold starts (Lambda's REPORT lines), are no metric: the dashboard reads them with
 * Logs Insights.
 *
 * <p>The topic is the construct's {@code Resource}: operators subscribe e-mail or pagers to it by hand, and a new topic
 * would lose them, so its logical id is pinned by a test.
 */
public final class GantryOperations extends Construct {

    /** The notify function's variable naming the prefix of Gantry's own alarms; see {@link #alarmNamePrefix()}. */
    public static final String ALARM_PREFIX_ENV = "GANTRY_OPERATIONS_ALARM_PREFIX";

    /** Where the metrics made from Gantry's log lines are; each metric's name starts with the prefix. */
    public static final String METRIC_NAMESPACE = "Gantry";

    static final String DEPLOYS = "Deploys";
    static final String GATE_ANSWERS = "GateAnswers";
    static final String NEWS_UNTOLD = "NewsUntold";
    static final String REBUILDS_IN_FLIGHT = "RebuildsInFlight";
    static final String RESULT_DIMENSION = "Result";
    static final String STATUS_DIMENSION = "Status";

    static final String ALARM_STATE_CHANGE = "CloudWatch Alarm State Change";

    /** Long enough to see last week's releases next to this week's. */
    static final Duration DEFAULT_INTERVAL = Duration.days(7);

    /** One datapoint over five minutes: an error is worth telling at once, and SQS reports its queues every minute or so. */
    static final Duration ALARM_PERIOD = Duration.minutes(5);

    private static final int FULL_WIDTH = 24;
    private static final Duration FIVE_MINUTES = Duration.minutes(5);
    private static final Duration ONE_HOUR = Duration.hours(1);

    private final String prefix;
    private final Topic topic;
    private final Map<String, Alarm> alarms = new LinkedHashMap<>();
    private final Dashboard dashboard;

    public GantryOperations(Construct scope, String id, GantryOperationsProps props) {
        super(scope, id);
        this.prefix = props.namePrefix() != null ? props.namePrefix() : stackName();

        // A customer managed key: CloudWatch cannot publish to a topic under the AWS managed SNS key, whose policy
        // cannot be changed to let it.
        Key key = Key.Builder.create(this, "TopicKey")
                .description(prefix + ": encrypts the topic of Gantry's alarms")
                .enableKeyRotation(true)
                .build();
        key.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowCloudWatchAlarmsToPublish")
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("kms:Decrypt", "kms:GenerateDataKey*"))
                .resources(List.of("*"))
                .build());
        this.topic = Topic.Builder.create(this, "Resource")
                .displayName(prefix + " alarms")
                .masterKey(key)
                .enforceSsl(true)
                .build();
        // The SSL statement gives the topic a policy of its own, which replaces SNS's default one: CloudWatch then needs
        // leave to publish, and only for this stack's alarms.
        Stack stack = Stack.of(this);
        topic.addToResourcePolicy(PolicyStatement.Builder.create()
                .sid("AllowGantryAlarmsToPublish")
                .effect(Effect.ALLOW)
                .principals(List.of(new ServicePrincipal("cloudwatch.amazonaws.com")))
                .actions(List.of("sns:Publish"))
                .resources(List.of(topic.getTopicArn()))
                .conditions(Map.of(
                        "ArnLike", Map.of("aws:SourceArn", "arn:" + stack.getPartition() + ":cloudwatch:" + stack.getRegion() + ":"
                                + stack.getAccount() + ":alarm:" + alarmNamePrefix() + "*"),
                        "StringEquals", Map.of("aws:SourceAccount", stack.getAccount())))
                .build());

        for (WatchedQueue queue : props.queues()) {
            alarm(pascal(queue.name()) + "Depth", queue.name() + "-depth", AlarmRunbook.deadLetters(queue),
                    queue.queue().metricApproximateNumberOfMessagesVisible(alarmEvery("Maximum")),
                    0, ComparisonOperator.GREATER_THAN_THRESHOLD);
        }
        for (WatchedFunction function : props.functions()) {
            alarm(pascal(function.name()) + "Errors", function.name() + "-errors", AlarmRunbook.errors(function),
                    function.function().metricErrors(alarmEvery("Sum")),
                    1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
            alarm(pascal(function.name()) + "Throttles", function.name() + "-throttles", AlarmRunbook.throttles(function),
                    function.function().metricThrottles(alarmEvery("Sum")),
                    1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        }

        for (WatchedFunction function : props.functions()) {
            countLinesBy(function, DEPLOYS, DeployService.RESULT_LOG_FIELD, RESULT_DIMENSION);
            countLinesBy(function, GATE_ANSWERS, GateService.STATUS_LOG_FIELD, STATUS_DIMENSION);
        }
        // News that could not be told leaves its function's invocation successful (the work it tells of stands), so no
        // error alarm fires: its own log line is counted and alarmed on, or a release thread would go quiet unseen.
        for (WatchedFunction function : props.functions()) {
            MetricFilter untold = MetricFilter.Builder.create(this, pascal(function.name()) + NEWS_UNTOLD + "Lines")
                    .logGroup(function.logGroup())
                    .filterPattern(FilterPattern.exists("$." + NewsTeller.UNTOLD_LOG_FIELD))
                    .metricNamespace(METRIC_NAMESPACE)
                    .metricName(metricName(NEWS_UNTOLD) + "-" + function.name())
                    .metricValue("1")
                    .unit(Unit.COUNT)
                    .build();
            alarm(pascal(function.name()) + NEWS_UNTOLD, function.name() + "-news-untold", AlarmRunbook.newsUntold(function),
                    untold.metric(alarmEvery("Sum")), 1, ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD);
        }
        rebuildFunction(props).ifPresent(function -> MetricFilter.Builder.create(this, pascal(function.name()) + REBUILDS_IN_FLIGHT)
                .logGroup(function.logGroup())
                .filterPattern(FilterPattern.numberValue("$." + RebuildService.IN_FLIGHT_LOG_FIELD, ">=", 0))
                .metricNamespace(METRIC_NAMESPACE)
                .metricName(metricName(REBUILDS_IN_FLIGHT))
                .metricValue("$." + RebuildService.IN_FLIGHT_LOG_FIELD)
                .unit(Unit.COUNT)
                .build());

        this.dashboard = Dashboard.Builder.create(this, "Dashboard")
                .dashboardName(prefix + "-operations")
                .defaultInterval(DEFAULT_INTERVAL)
                .build();
        new OperationsDashboard(props).rows().forEach(row -> dashboard.addWidgets(row.toArray(IWidget[]::new)));
    }

    /**
     * What the name of every alarm of this construct starts with, {@code <prefix>-} (e.g. {@code Gantry-}): give it to
     * the ChatOps notify function as {@value #ALARM_PREFIX_ENV}.
     */
    public String alarmNamePrefix() {
        return prefix + "-";
    }

    /**
     * The EventBridge pattern of these alarms' "CloudWatch Alarm State Change" events, by name prefix: a rule with it
     * and the ChatOps notify function as target tells them in Slack.
     */
    public EventPattern alarmStateChangePattern() {
        return EventPattern.builder()
                .source(List.of("aws.cloudwatch"))
                .detailType(List.of(ALARM_STATE_CHANGE))
                .detail(Map.of("alarmName", List.of(Map.of("prefix", alarmNamePrefix()))))
                .build();
    }

    /** The topic every alarm tells, when it fires and when it is OK again: subscribe e-mail or a pager to it. */
    public ITopic getTopic() {
        return topic;
    }

    /** Every alarm, by name, in the order created: queues first, then each function's errors and throttles. */
    public Map<String, Alarm> getAlarms() {
        return Collections.unmodifiableMap(alarms);
    }

    public Dashboard getDashboard() {
        return dashboard;
    }

    private void alarm(String id, String nameSuffix, String description, IMetric metric, double threshold, ComparisonOperator operator) {
        String name = alarmNamePrefix() + nameSuffix;
        Alarm alarm = Alarm.Builder.create(this, id)
                .alarmName(name)
                .alarmDescription(description)
                .metric(metric)
                .threshold(threshold)
                .comparisonOperator(operator)
                .evaluationPeriods(1)
                .datapointsToAlarm(1)
                .treatMissingData(TreatMissingData.NOT_BREACHING)
                .build();
        SnsAction action = new SnsAction(topic);
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
        alarms.put(name, alarm);
    }

    /**
     * Each line of the function's log carrying {@code field} counts 1, under the field's value as the dimension. The
     * values are enum names, so the dimension stays within a handful of metrics.
     */
    private void countLinesBy(WatchedFunction function, String metric, String field, String dimension) {
        MetricFilter.Builder.create(this, pascal(function.name()) + metric)
                .logGroup(function.logGroup())
                .filterPattern(FilterPattern.exists("$." + field))
                .metricNamespace(METRIC_NAMESPACE)
                .metricName(metricName(metric))
                .metricValue("1")
                .dimensions(Map.of(dimension, "$." + field))
                .unit(Unit.COUNT)
                .build();
    }

    /** {@code Gantry-Deploys}: the prefix keeps two Gantry stacks in one account and region apart. */
    private String metricName(String metric) {
        return prefix + "-" + metric;
    }

    private Metric metric(String name, Map<String, String> dimensions, String statistic, Duration period, String label) {
        return Metric.Builder.create()
                .namespace(METRIC_NAMESPACE)
                .metricName(metricName(name))
                .dimensionsMap(dimensions)
                .statistic(statistic)
                .period(period)
                .label(label)
                .build();
    }

    private static Optional<WatchedFunction> rebuildFunction(GantryOperationsProps props) {
        return props.functions().stream().filter(f -> f.name().equals(props.rebuildFunction())).findFirst();
    }

    private String stackName() {
        String name = Stack.of(this).getStackName();
        if (Token.isUnresolved(name)) {
            throw new IllegalArgumentException("the stack's name is not known at synth; give GantryOperations a namePrefix");
        }
        return name;
    }

    /** Unlabelled: CloudWatch shows a labelled alarm metric as metric math, which hides its name in the console. */
    private static MetricOptions alarmEvery(String statistic) {
        return MetricOptions.builder().period(ALARM_PERIOD).statistic(statistic).build();
    }

    private static MetricOptions every(Duration period, String statistic, String label) {
        return MetricOptions.builder().period(period).statistic(statistic).label(label).build();
    }

    /** {@code ecs-deploy} gives {@code EcsDeploy}: readable logical ids. */
    static String pascal(String name) {
        return Arrays.stream(name.split("[-._]"))
                .filter(part -> !part.isEmpty())
                .map(part -> Character.toUpperCase(part.charAt(0)) + part.substring(1))
                .collect(Collectors.joining());
    }

    /** The dashboard, row by row, top to bottom: what people look at first comes first. */
    private final class OperationsDashboard {

        private final GantryOperationsProps props;
        private final List<String> logGroups;

        OperationsDashboard(GantryOperationsProps props) {
            this.props = props;
            this.logGroups = props.functions().stream().map(f -> f.logGroup().getLogGroupName()).toList();
        }

        List<List<IWidget>> rows() {
            List<List<IWidget>> rows = new ArrayList<>();
            rows.add(List.of(TextWidget.Builder.create()
                    .markdown(String.join("\n",
                            "# " + prefix + " operations",
                            "Alarms are named `" + alarmNamePrefix() + "…`. Each tells the SNS topic `" + topic.getTopicName()
                                    + "` when it fires and when it is OK again (subscribe e-mail or a pager to it), and Slack's "
                                    + "default channel when chatops-notify has `" + ALARM_PREFIX_ENV + "`. Every alarm's "
                                    + "description says what to do.",
                            "Metrics in namespace `" + METRIC_NAMESPACE + "`, made by metric filters from the functions' JSON "
                                    + "log lines: `" + metricName(DEPLOYS) + "` by `" + RESULT_DIMENSION + "`, `" + metricName(GATE_ANSWERS)
                                    + "` by `" + STATUS_DIMENSION + "`" + (rebuildFunction(props).isPresent()
                                            ? ", `" + metricName(REBUILDS_IN_FLIGHT) + "`" : "")
                                    + ". Held releases and cold starts are read from the logs."))
                    .width(FULL_WIDTH)
                    .height(4)
                    .build()));
            rows.add(List.of(AlarmStatusWidget.Builder.create()
                    .title("Gantry's alarms")
                    .alarms(List.copyOf(alarms.values()))
                    .width(FULL_WIDTH)
                    .height(Math.max(3, 2 + alarms.size() / 6))
                    .build()));
            rows.add(List.of(deploys(), gates()));
            List<IWidget> third = new ArrayList<>(List.of(waitingAtGates()));
            rebuilds().ifPresent(third::add);
            rows.add(third);
            rows.add(List.of(deadLetters(),
                    perFunction("Function errors (sum)", 8, f -> f.function().metricErrors(every(FIVE_MINUTES, "Sum", f.name()))),
                    perFunction("Throttles (sum)", 8, f -> f.function().metricThrottles(every(FIVE_MINUTES, "Sum", f.name())))));
            rows.add(List.of(coldStarts(),
                    perFunction("Duration (p99, ms)", 12, f -> f.function().metricDuration(every(FIVE_MINUTES, "p99", f.name())))));
            rows.add(List.of(stateTable(props.stateTable())));
            return rows;
        }

        private IWidget deploys() {
            return GraphWidget.Builder.create()
                    .title("Deploys per hour by result (a failed deploy is a function error)")
                    .left(List.of(
                            deploys(DeployOutcome.Result.DEPLOYED, "deployed"),
                            deploys(DeployOutcome.Result.HELD, "held"),
                            deploys(DeployOutcome.Result.REFUSED, "refused")))
                    .leftYAxis(YAxisProps.builder().min(0).build())
                    .width(12)
                    .height(6)
                    .build();
        }

        private IWidget gates() {
            return GraphWidget.Builder.create()
                    .title("Gate answers per hour (held counts each look at a waiting release)")
                    .left(List.of(
                            gateAnswers(GateStatus.WAITING, "held"),
                            gateAnswers(GateStatus.FAILED, "failed"),
                            gateAnswers(GateStatus.TIMED_OUT, "timed out"),
                            gateAnswers(GateStatus.PASSED, "passed")))
                    .leftYAxis(YAxisProps.builder().min(0).build())
                    .width(12)
                    .height(6)
                    .build();
        }

        private IMetric deploys(DeployOutcome.Result result, String label) {
            return metric(DEPLOYS, Map.of(RESULT_DIMENSION, result.name()), "Sum", ONE_HOUR, label);
        }

        private IMetric gateAnswers(GateStatus status, String label) {
            return metric(GATE_ANSWERS, Map.of(STATUS_DIMENSION, status.name()), "Sum", ONE_HOUR, label);
        }

        /**
         * Which releases wait or failed is no metric: the latest answer per release, from GateService's line
         * {@code gate 'production' for payments-api/prod/07348c117739: WAITING (...)} and its status field.
         */
        private IWidget waitingAtGates() {
            String status = GateService.STATUS_LOG_FIELD;
            return LogQueryWidget.Builder.create()
                    .title("Releases whose latest gate answer is held or failed")
                    .logGroupNames(logGroups)
                    .queryLines(List.of(
                            "fields @timestamp, message, " + status,
                            "filter ispresent(" + status + ")",
                            "parse message /^gate '(?<gate>[^']+)' for (?<releaseId>\\S+): [A-Z_]+ \\((?<reason>.*)\\)$/",
                            "stats latest(" + status + ") as status, latest(gate) as gateName, latest(reason) as why, "
                                    + "max(@timestamp) as at by releaseId",
                            "filter status in [\"WAITING\", \"FAILED\", \"TIMED_OUT\"]",
                            "sort at desc",
                            "limit 50"))
                    .view(LogQueryVisualizationType.TABLE)
                    .width(12)
                    .height(6)
                    .build();
        }

        private Optional<IWidget> rebuilds() {
            return rebuildFunction(props).map(f -> GraphWidget.Builder.create()
                    .title("Rebuilds in flight (max per 5 minutes) and rebuild events handled")
                    .left(List.of(metric(REBUILDS_IN_FLIGHT, Map.of(), "Maximum", FIVE_MINUTES, "rebuilds in flight")))
                    .leftYAxis(YAxisProps.builder().min(0).build())
                    .right(List.of(
                            f.function().metricInvocations(every(FIVE_MINUTES, "Sum", f.name() + " invocations")),
                            f.function().metricErrors(every(FIVE_MINUTES, "Sum", f.name() + " errors"))))
                    .width(12)
                    .height(6)
                    .build());
        }

        private IWidget deadLetters() {
            return GraphWidget.Builder.create()
                    .title("Dead letters (messages visible, max)")
                    .left(props.queues().stream()
                            .map(q -> (IMetric) q.queue().metricApproximateNumberOfMessagesVisible(every(FIVE_MINUTES, "Maximum",
                                    q.name())))
                            .toList())
                    .width(8)
                    .height(6)
                    .build();
        }

        private IWidget perFunction(String title, int width, Function<WatchedFunction, IMetric> metric) {
            return GraphWidget.Builder.create()
                    .title(title)
                    .left(props.functions().stream().map(metric).toList())
                    .width(width)
                    .height(6)
                    .build();
        }

        /**
         * Lambda's REPORT line: {@code Init Duration} on a cold start, {@code Restore Duration} when SnapStart restored a
         * snapshot instead.
         */
        private IWidget coldStarts() {
            return LogQueryWidget.Builder.create()
                    .title("Cold starts per log group (Init Duration; Restore Duration with SnapStart)")
                    .logGroupNames(logGroups)
                    .queryLines(List.of(
                            "filter @type = \"REPORT\"",
                            "parse @message /Restore Duration: (?<restoreMs>[0-9.]+) ms/",
                            "stats count(*) as invocations, count(@initDuration) as coldStarts, max(@initDuration) as maxInitMs, "
                                    + "count(restoreMs) as restores, max(restoreMs) as maxRestoreMs by @log",
                            "sort coldStarts desc"))
                    .view(LogQueryVisualizationType.TABLE)
                    .width(12)
                    .height(6)
                    .build();
        }

        private IWidget stateTable(ITable table) {
            return GraphWidget.Builder.create()
                    .title("State table: capacity used, throttled and conditional writes lost")
                    .left(List.of(
                            table.metricConsumedReadCapacityUnits(every(FIVE_MINUTES, "Sum", "read units")),
                            table.metricConsumedWriteCapacityUnits(every(FIVE_MINUTES, "Sum", "write units"))))
                    .right(List.of(
                            table.metric("ReadThrottleEvents", every(FIVE_MINUTES, "Sum", "read throttles")),
                            table.metric("WriteThrottleEvents", every(FIVE_MINUTES, "Sum", "write throttles")),
                            table.metric("ConditionalCheckFailedRequests", every(FIVE_MINUTES, "Sum", "conditional writes lost"))))
                    .width(FULL_WIDTH)
                    .height(6)
                    .build();
        }
    }

    /** What each alarm's description says: what fired, where to look, and what to do about it. */
    static final class AlarmRunbook {

        private AlarmRunbook() {}

        static String errors(WatchedFunction function) {
            return "Gantry's " + function.name() + " function failed an invocation. Why: CloudWatch Logs Insights on log group "
                    + function.logGroup().getLogGroupName() + ", query: filter level = \"ERROR\" or @message like /Task timed out/ "
                    + "| sort @timestamp desc. An event it failed on is parked in the failed-invocation queue, whose depth alarm "
                    + "says how to replay it; a queue message it failed on is received again from its queue. OK again after five "
                    + "minutes without an error.";
        }

        static String newsUntold(WatchedFunction function) {
            return "Gantry's " + function.name() + " function did its work but could not tell it to the notify queue, so a "
                    + "release thread in Slack is missing its lines. Why: CloudWatch Logs Insights on log group "
                    + function.logGroup().getLogGroupName() + ", query: filter ispresent(" + NewsTeller.UNTOLD_LOG_FIELD + ") | sort "
                    + "@timestamp desc; the field names the news, or the deploy, rollout or rebuild it was of. The work itself "
                    + "stands and is not retried; /gantry status in Slack shows where each release is. OK again after five minutes "
                    + "without such a line.";
        }

        static String throttles(WatchedFunction function) {
            return "Lambda throttled Gantry's " + function.name() + " function: the account's concurrency, or the function's "
                    + "reserved concurrency, was used up. EventBridge, SQS and SNS retry a throttled delivery by themselves; "
                    + "what they give up on lands in a dead-letter queue with its own alarm. Look at the account's "
                    + "ConcurrentExecutions metric and at which functions reserve concurrency.";
        }

        static String deadLetters(WatchedQueue queue) {
            String where = "SQS queue " + queue.queue().getQueueName() + " (" + queue.name() + ")";
            String read = " Read it: SQS console, the queue, Send and receive messages, Poll for messages.";
            return switch (queue.kind()) {
                case UNDELIVERED_EVENTS -> "EventBridge or SNS could not deliver an event to its Gantry target and parked it in "
                        + where + "." + read + " Its attributes ERROR_CODE and ERROR_MESSAGE say why, RULE_ARN and TARGET_ARN which "
                        + "rule and target; the body is the event. Once the cause is fixed, save the body as event.json and replay "
                        + "it: aws lambda invoke --function-name TARGET_ARN --invocation-type Event --cli-binary-format "
                        + "raw-in-base64-out --payload file://event.json out.json, or for a queue aws sqs send-message --queue-url "
                        + "its URL --message-body file://event.json; then delete the message. Gantry acts on a replayed event once.";
                case FAILED_INVOCATIONS -> "A Gantry function failed on an event and Lambda parked the invocation in " + where
                        + "; Gantry does not retry it." + read + " In the body, requestContext.functionArn names the function, "
                        + "responsePayload holds the error and requestPayload the event. Once the cause is fixed, save requestPayload "
                        + "as event.json and replay it: aws lambda invoke --function-name FUNCTION_ARN --invocation-type Event "
                        + "--cli-binary-format raw-in-base64-out --payload file://event.json out.json; then delete the message. A "
                        + "replay resumes a half-done release from its record.";
                case EXHAUSTED_MESSAGES -> "Messages that failed every receive from their source queue were moved to " + where
                        + ": Slack news, AWS events for Slack or requests Gantry could not handle." + read + " The consuming "
                        + "function's ERROR log lines say why. Once the cause is fixed, move them back: the queue's Start DLQ redrive "
                        + "in the console, or aws sqs start-message-move-task --source-arn with the queue's ARN. News or an event told "
                        + "twice changes nothing.";
            };
        }
    }
}
