package dev.gantry.aws;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The AWS calls that prime a function's SDK clients before a SnapStart snapshot ({@link SnapStartPriming}): one step per
 * client, each a read that changes nothing and that the function's role is already allowed to make, so priming adds no
 * permission and leaves no AccessDenied in CloudTrail. Decision 17 lists the clients left unprimed and why.
 *
 * <p>Each call is made once, without retries (a retry warms nothing more, and its backoff would only spend the init
 * time limit) and within {@link #CALL_TIMEOUT}.
 */
public final class PrimingCalls {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** No Gantry store writes a partition under this prefix, so a read of it finds nothing, and a write never happens. */
    static final String NEVER_WRITTEN_PARTITION = "SNAPSTART_PRIMING#never-written";
    /** CloudWatch alarm names Gantry reads are the configuration's; this one is not a name anyone would give. */
    static final String NO_SUCH_ALARM = "gantry-snapstart-priming-no-such-alarm";
    /** ECS service revision ids are 19-digit numbers; "0" is none of them. */
    static final String NO_SUCH_REVISION = "0";

    private PrimingCalls() {}

    /** GetItem and Query of a partition no record has: the store adapters' two reads. */
    public static SnapStartPriming.Step stateTable(DynamoDbClient dynamo, String table) {
        return new SnapStartPriming.Step("DynamoDB GetItem and Query in " + table + " of a key no record has", () -> {
            AttributeValue partition = AttributeValue.fromS(NEVER_WRITTEN_PARTITION);
            dynamo.getItem(r -> r.tableName(table)
                    .key(Map.of(StateTable.PARTITION_KEY, partition, StateTable.SORT_KEY, AttributeValue.fromS("-")))
                    .overrideConfiguration(PrimingCalls::once));
            dynamo.query(r -> r.tableName(table)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":pk", partition))
                    .limit(1)
                    .overrideConfiguration(PrimingCalls::once));
        });
    }

    /**
     * DescribeServices of one configured service per ECS client, with the client the deploy uses for it: each region and
     * assumed role the configuration reaches its services through is warmed, the assumed roles' STS path included.
     */
    public static List<SnapStartPriming.Step> ecsServices(GantryConfig config, EcsClients ecsClients) {
        List<SnapStartPriming.Step> steps = new ArrayList<>();
        oneServicePerClient(config, ecsClients).forEach((service, ecs) -> steps.add(new SnapStartPriming.Step(
                "ECS DescribeServices of " + service, () -> ecs.describeServices(r -> r
                        .cluster(service.cluster())
                        .services(service.service())
                        .overrideConfiguration(PrimingCalls::once)))));
        return steps;
    }

    /**
     * DescribeServiceRevisions, under one configured service per ECS client, of a revision that cannot exist: the
     * lifecycle hook's one ECS call, which its role may make only on the configured services' revisions.
     */
    public static List<SnapStartPriming.Step> ecsServiceRevisions(GantryConfig config, EcsClients ecsClients) {
        List<SnapStartPriming.Step> steps = new ArrayList<>();
        oneServicePerClient(config, ecsClients).forEach((service, ecs) -> {
            String revision = "arn:" + PartitionMetadata.of(Region.of(service.region())).id() + ":ecs:" + service.region() + ":"
                    + service.account() + ":service-revision/" + service.cluster() + "/" + service.service() + "/" + NO_SUCH_REVISION;
            steps.add(new SnapStartPriming.Step("ECS DescribeServiceRevisions of " + revision, () -> ecs.describeServiceRevisions(r -> r
                    .serviceRevisionArns(revision)
                    .overrideConfiguration(PrimingCalls::once))));
        });
        return steps;
    }

    /** DescribeAlarms of an alarm no one would name, asking for both alarm types as the gate's alarm check does. */
    public static SnapStartPriming.Step alarms(CloudWatchClient cloudWatch) {
        return new SnapStartPriming.Step("CloudWatch DescribeAlarms of " + NO_SUCH_ALARM, () -> cloudWatch.describeAlarms(r -> r
                .alarmNames(NO_SUCH_ALARM)
                .alarmTypes(AlarmType.METRIC_ALARM, AlarmType.COMPOSITE_ALARM)
                .overrideConfiguration(PrimingCalls::once)));
    }

    /** GetCalendarState of a configured change calendar: the only calendars the function may read. */
    public static SnapStartPriming.Step changeCalendar(SsmClient ssm, String calendar) {
        return new SnapStartPriming.Step("SSM GetCalendarState of " + calendar, () -> ssm.getCalendarState(r -> r
                .calendarNames(calendar)
                .overrideConfiguration(PrimingCalls::once)));
    }

    /** DescribeImages of one image of a repository the function reads. */
    public static SnapStartPriming.Step imageRepository(EcrClient ecr, String registryId, String repository) {
        return new SnapStartPriming.Step("ECR DescribeImages of " + registryId + "/" + repository, () -> ecr.describeImages(r -> r
                .registryId(registryId)
                .repositoryName(repository)
                .maxResults(1)
                .overrideConfiguration(PrimingCalls::once)));
    }

    private static void once(AwsRequestOverrideConfiguration.Builder request) {
        request.apiCallTimeout(CALL_TIMEOUT)
                .addPlugin(client -> client.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())));
    }

    /** The first configured service each distinct client reaches, in configuration order. */
    private static Map<EcsServiceRef, EcsClient> oneServicePerClient(GantryConfig config, EcsClients ecsClients) {
        Set<EcsClient> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<EcsServiceRef, EcsClient> services = new LinkedHashMap<>();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                EcsServiceRef ref = EcsServiceRef.of(environment);
                EcsClient ecs = ecsClients.forTarget(ref);
                if (seen.add(ecs)) {
                    services.put(ref, ecs);
                }
            }
        }
        return services;
    }
}
