package dev.gantry.aws;

import com.sun.net.httpserver.HttpServer;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.regions.PartitionMetadata;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariable;
import software.amazon.awssdk.services.codebuild.model.EnvironmentVariableType;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.FailureType;
import software.amazon.awssdk.services.codepipeline.model.PipelineVariable;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.Compatibility;
import software.amazon.awssdk.services.ecs.model.ContainerDefinition;
import software.amazon.awssdk.services.ecs.model.DescribeTaskDefinitionResponse;
import software.amazon.awssdk.services.ecs.model.KeyValuePair;
import software.amazon.awssdk.services.ecs.model.LogConfiguration;
import software.amazon.awssdk.services.ecs.model.LogDriver;
import software.amazon.awssdk.services.ecs.model.NetworkMode;
import software.amazon.awssdk.services.ecs.model.PortMapping;
import software.amazon.awssdk.services.ecs.model.Secret;
import software.amazon.awssdk.services.ecs.model.TaskDefinition;
import software.amazon.awssdk.services.ecs.model.TaskDefinitionField;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * The AWS calls that prime a function's SDK clients before a SnapStart snapshot ({@link SnapStartPriming}): one step per
 * client, each a read that changes nothing and that the function's role is already allowed to make, so priming adds no
 * permission and leaves no AccessDenied in CloudTrail. Decision 17 lists the clients left unprimed and why.
 *
 * <p>Each call is made once, without retries (a retry warms nothing more, and its backoff would only spend the init
 * time limit) and within {@link #CALL_TIMEOUT}.
 *
 * <p>Writes are rehearsed, never made: the SDK resolves the endpoint, marshals the request and signs it as for real, and
 * {@link #STOP_REHEARSAL}, added to the request, throws before a byte is sent. The snapshot then holds each write's
 * request path, which the first event after a restore would otherwise load (`scripts/bench cold-start`, "java after
 * priming"). Every rehearsed request also names what does not exist (a family name ECS refuses, a partition no store
 * writes under a condition that it exists, a queue no one has), so that even a request that got out would change nothing.
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

    /** The family of every rehearsed task definition: ECS refuses the space in it, were the request ever sent. */
    static final String REHEARSAL_FAMILY = "gantry snapstart priming";

    /**
     * RegisterTaskDefinition of a task definition shaped like a service's (containers with ports, environment, secrets,
     * logs; Fargate networking), copied as a deploy copies the running one, then UpdateService and
     * DeregisterTaskDefinition, through each ECS client the deploy uses: all rehearsed, none sent.
     */
    public static List<SnapStartPriming.Step> ecsDeployWrites(GantryConfig config, EcsClients ecsClients) {
        List<SnapStartPriming.Step> steps = new ArrayList<>();
        oneServicePerClient(config, ecsClients).forEach((service, ecs) -> steps.add(rehearsal(
                "ECS DescribeTaskDefinition, RegisterTaskDefinition, UpdateService and DeregisterTaskDefinition through the client of "
                        + service, () -> {
                    stopped(() -> ecs.describeTaskDefinition(r -> r.taskDefinition(REHEARSAL_FAMILY).include(TaskDefinitionField.TAGS)
                            .overrideConfiguration(PrimingCalls::rehearse)));
                    stopped(() -> ecs.registerTaskDefinition(SdkEcsGateway.copyWithImages(rehearsalTaskDefinition(service),
                                    Map.of("app", "000000000000.dkr.ecr." + service.region() + ".amazonaws.com/gantry-snapstart-priming@sha256:"
                                            + "0".repeat(64)))
                            .toBuilder().overrideConfiguration(PrimingCalls::rehearse).build()));
                    stopped(() -> ecs.updateService(r -> r.cluster(service.cluster()).service(REHEARSAL_FAMILY)
                            .taskDefinition(REHEARSAL_FAMILY + ":1").overrideConfiguration(PrimingCalls::rehearse)));
                    stopped(() -> ecs.deregisterTaskDefinition(r -> r.taskDefinition(REHEARSAL_FAMILY + ":1")
                            .overrideConfiguration(PrimingCalls::rehearse)));
                })));
        return steps;
    }

    /**
     * The state table's writes as the stores make them, rehearsed: a conditional PutItem, an UpdateItem that returns the
     * old item on a failed condition, a TransactWriteItems of both, and a DeleteItem, all of a partition no store writes.
     */
    public static SnapStartPriming.Step stateTableWrites(DynamoDbClient dynamo, String table) {
        return rehearsal("DynamoDB PutItem, UpdateItem, TransactWriteItems and DeleteItem in " + table, () -> {
            Map<String, AttributeValue> key = Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(NEVER_WRITTEN_PARTITION),
                    StateTable.SORT_KEY, AttributeValue.fromS("-"));
            Map<String, String> names = Map.of("#pk", StateTable.PARTITION_KEY, "#v", "rehearsal");
            AttributeValue number = AttributeValue.fromN("1");
            AttributeValue list = AttributeValue.fromL(List.of(
                    AttributeValue.fromM(Map.of("s", AttributeValue.fromS("-"), "b", AttributeValue.fromBool(true)))));
            stopped(() -> dynamo.putItem(r -> r.tableName(table).item(key).conditionExpression("attribute_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> dynamo.updateItem(r -> r.tableName(table).key(key).updateExpression("SET #v = :v")
                    .conditionExpression("attribute_exists(#pk)").expressionAttributeNames(names)
                    .expressionAttributeValues(Map.of(":v", number))
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> dynamo.transactWriteItems(r -> r.transactItems(
                            item -> item.update(u -> u.tableName(table).key(key).updateExpression("SET #v = :l")
                                    .conditionExpression("attribute_exists(#pk)").expressionAttributeNames(names)
                                    .expressionAttributeValues(Map.of(":l", list))
                                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD)),
                            item -> item.conditionCheck(c -> c.tableName(table).key(key).conditionExpression("attribute_exists(#pk)")
                                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))))
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> dynamo.deleteItem(r -> r.tableName(table).key(key).conditionExpression("attribute_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                    .overrideConfiguration(PrimingCalls::rehearse)));
        });
    }

    /**
     * SendMessage as the notifier sends news (a FIFO group and deduplication id, attributes), rehearsed, to a queue no one
     * has beside {@code queueUrl}: a write, so never sent.
     */
    public static SnapStartPriming.Step queueSend(SqsClient sqs, String queueUrl) {
        String noSuchQueue = queueUrl.substring(0, queueUrl.lastIndexOf('/') + 1) + "gantry-snapstart-priming-no-such-queue.fifo";
        return rehearsal("SQS SendMessage to " + noSuchQueue, () -> stopped(() -> sqs.sendMessage(r -> r
                .queueUrl(noSuchQueue)
                .messageBody("{}")
                .messageGroupId("gantry-snapstart-priming")
                .messageDeduplicationId("gantry-snapstart-priming")
                .messageAttributes(Map.of("kind", MessageAttributeValue.builder().dataType("String").stringValue("priming").build()))
                .overrideConfiguration(PrimingCalls::rehearse))));
    }

    /**
     * BatchGetItem of a key no record has, rehearsed: the rebuild ledger's read of many records at once, which not every
     * function's role may make.
     */
    public static SnapStartPriming.Step stateTableBatchRead(DynamoDbClient dynamo, String table) {
        return rehearsal("DynamoDB BatchGetItem in " + table, () -> stopped(() -> dynamo.batchGetItem(r -> r
                .requestItems(Map.of(table, KeysAndAttributes.builder()
                        .keys(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(NEVER_WRITTEN_PARTITION),
                                StateTable.SORT_KEY, AttributeValue.fromS("-")))
                        .consistentRead(true)
                        .build()))
                .overrideConfiguration(PrimingCalls::rehearse))));
    }

    /** The job a rehearsed pipeline call names: CodePipeline's job ids are UUIDs, and this one no pipeline has. */
    static final String NO_SUCH_JOB = "00000000-0000-0000-0000-000000000000";

    /**
     * PutJobSuccessResult, with and without a continuation token, and PutJobFailureResult, as a pipeline job's answers
     * are sent, of a job no pipeline has: writes, so rehearsed.
     */
    public static SnapStartPriming.Step pipelineJobResults(CodePipelineClient codePipeline) {
        return rehearsal("CodePipeline PutJobSuccessResult and PutJobFailureResult of job " + NO_SUCH_JOB, () -> {
            stopped(() -> codePipeline.putJobSuccessResult(r -> r.jobId(NO_SUCH_JOB)
                    .executionDetails(d -> d.summary("gantry snapstart priming"))
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> codePipeline.putJobSuccessResult(r -> r.jobId(NO_SUCH_JOB)
                    .continuationToken("gantry-snapstart-priming")
                    .executionDetails(d -> d.summary("gantry snapstart priming"))
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> codePipeline.putJobFailureResult(r -> r.jobId(NO_SUCH_JOB)
                    .failureDetails(d -> d.type(FailureType.JOB_FAILED).message("gantry snapstart priming"))
                    .overrideConfiguration(PrimingCalls::rehearse)));
        });
    }

    /** The project and pipeline a rehearsed start names: CodeBuild and CodePipeline refuse the spaces in it. */
    static final String NO_SUCH_BUILD = "gantry snapstart priming";

    /**
     * StartBuild with variables and an idempotency token, and StartPipelineExecution with variables and a request token, as
     * a rebuild starts its targets, of a project and a pipeline no one has: writes, so rehearsed.
     */
    public static SnapStartPriming.Step buildStarts(CodeBuildClient codeBuild, CodePipelineClient codePipeline) {
        return rehearsal("CodeBuild StartBuild and CodePipeline StartPipelineExecution of " + NO_SUCH_BUILD, () -> {
            stopped(() -> codeBuild.startBuild(r -> r.projectName(NO_SUCH_BUILD)
                    .environmentVariablesOverride(EnvironmentVariable.builder().name("GANTRY_BASE_IMAGE")
                            .value("000000000000.dkr.ecr.eu-west-1.amazonaws.com/gantry-snapstart-priming@sha256:" + "0".repeat(64))
                            .type(EnvironmentVariableType.PLAINTEXT).build())
                    .idempotencyToken("0".repeat(64))
                    .overrideConfiguration(PrimingCalls::rehearse)));
            stopped(() -> codePipeline.startPipelineExecution(r -> r.name(NO_SUCH_BUILD)
                    .clientRequestToken("0".repeat(64))
                    .variables(PipelineVariable.builder().name("GANTRY_BASE_IMAGE").value("gantry-snapstart-priming").build())
                    .overrideConfiguration(PrimingCalls::rehearse)));
        });
    }

    /**
     * DescribeImages of a tag, as a pipeline's image is looked up, through the ECR client of one region: a read, but of a
     * repository no one has in an account no one has, so rehearsed rather than refused in CloudTrail.
     */
    public static SnapStartPriming.Step imageTag(EcrClient ecr, String region) {
        return rehearsal("ECR DescribeImages of a tag in " + region, () -> stopped(() -> ecr.describeImages(r -> r
                .registryId("000000000000")
                .repositoryName("gantry-snapstart-priming")
                .imageIds(ImageIdentifier.builder().imageTag("gantry-snapstart-priming").build())
                .overrideConfiguration(PrimingCalls::rehearse))));
    }

    /**
     * GetObject of a pipeline artifact through an S3 client built as each job's is, with credentials no one has: every
     * job's artifact is read with that job's own credentials, which no snapshot may hold, so rehearsed.
     */
    public static SnapStartPriming.Step artifactRead(S3ArtifactReader artifacts) {
        return rehearsal("S3 GetObject of a pipeline artifact", () -> stopped(() -> artifacts.rehearseRead(PrimingCalls::rehearse)));
    }

    /**
     * GetSecretValue, rehearsed, of a secret no one has: no secret is read before the snapshot (decision 17), so the
     * read's request path is primed without one.
     */
    public static SnapStartPriming.Step secretRead(SecretsManagerClient secrets) {
        return rehearsal("Secrets Manager GetSecretValue of gantry/snapstart-priming-no-such-secret", () -> stopped(() ->
                secrets.getSecretValue(r -> r.secretId("gantry/snapstart-priming-no-such-secret").overrideConfiguration(PrimingCalls::rehearse))));
    }

    /**
     * A form POST and its JSON answer through the JDK's HTTP client, the client Slack is called with, against a server in
     * this JVM on the loopback address: Slack itself is never called before the snapshot (decision 17), but the client's
     * request and response path is primed all the same.
     */
    public static SnapStartPriming.Step loopbackHttpExchange() {
        return new SnapStartPriming.Step("HTTP POST through the JDK client to a server in this JVM", () -> {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                byte[] answer = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
                exchange.sendResponseHeaders(200, answer.length);
                exchange.getResponseBody().write(answer);
                exchange.close();
            });
            server.start();
            try (HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(CALL_TIMEOUT)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build()) {
                URI uri = URI.create("http://" + server.getAddress().getHostString() + ":" + server.getAddress().getPort() + "/api/priming");
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri)
                        .timeout(CALL_TIMEOUT)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("priming=true"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("the loopback server answered " + response.statusCode());
                }
            } finally {
                server.stop(0);
            }
        });
    }

    private static DescribeTaskDefinitionResponse rehearsalTaskDefinition(EcsServiceRef service) {
        String roles = "arn:" + PartitionMetadata.of(Region.of(service.region())).id() + ":iam::" + service.account() + ":role/";
        ContainerDefinition app = ContainerDefinition.builder()
                .name("app")
                .image("public.ecr.aws/docker/library/busybox:latest")
                .essential(true)
                .cpu(256)
                .memory(512)
                .portMappings(PortMapping.builder().containerPort(8080).protocol("tcp").build())
                .environment(KeyValuePair.builder().name("GANTRY").value("rehearsal").build())
                .secrets(Secret.builder().name("TOKEN").valueFrom(roles + "none").build())
                .logConfiguration(LogConfiguration.builder().logDriver(LogDriver.AWSLOGS)
                        .options(Map.of("awslogs-group", "/gantry/rehearsal", "awslogs-region", service.region())).build())
                .healthCheck(h -> h.command("CMD-SHELL", "true").interval(30).retries(3))
                .build();
        return DescribeTaskDefinitionResponse.builder()
                .taskDefinition(TaskDefinition.builder()
                        .family(REHEARSAL_FAMILY)
                        .taskRoleArn(roles + "gantry-snapstart-priming")
                        .executionRoleArn(roles + "gantry-snapstart-priming")
                        .networkMode(NetworkMode.AWSVPC)
                        .requiresCompatibilities(Compatibility.FARGATE)
                        .cpu("256")
                        .memory("512")
                        .containerDefinitions(app, app.toBuilder().name("sidecar").build())
                        .build())
                .tags(t -> t.key("gantry").value("rehearsal"))
                .build();
    }

    /** Marks a request as a rehearsal: sent once, if at all, and stopped by {@link #STOP_REHEARSAL} before it is. */
    private static void rehearse(AwsRequestOverrideConfiguration.Builder request) {
        once(request);
        request.putExecutionAttribute(REHEARSAL, Boolean.TRUE)
                .addPlugin(client -> client.overrideConfiguration(c -> c.addExecutionInterceptor(STOP_REHEARSAL)));
    }

    static final ExecutionAttribute<Boolean> REHEARSAL = new ExecutionAttribute<>("GantryPrimingRehearsal");

    /**
     * Throws before a rehearsed request is sent; the SDK has resolved its endpoint, marshalled and signed it by then. It
     * stops only requests marked as rehearsals, so on a client that had it by mistake nothing else would change.
     */
    static final ExecutionInterceptor STOP_REHEARSAL = new ExecutionInterceptor() {
        @Override
        public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
            if (Boolean.TRUE.equals(attributes.getAttribute(REHEARSAL))) {
                throw new RehearsalStopped();
            }
        }
    };

    /** How a rehearsal ends when all went as meant: stopped after signing, before sending. */
    static final class RehearsalStopped extends RuntimeException {
        RehearsalStopped() {
            super("stopped before sending: a SnapStart priming rehearsal", null, false, false);
        }
    }

    /** How a rehearsal step's name ends. */
    public static final String REHEARSED = ": rehearsed, not sent";

    private static SnapStartPriming.Step rehearsal(String name, Runnable calls) {
        return new SnapStartPriming.Step(name + REHEARSED, calls::run);
    }

    /** Runs one rehearsed call, which must end stopped before sending; anything else fails the step. */
    private static void stopped(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof RehearsalStopped) {
                    return;
                }
            }
            throw e;
        }
        throw new IllegalStateException("a rehearsed call was answered, so it was sent; rehearsals must stop before sending");
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
