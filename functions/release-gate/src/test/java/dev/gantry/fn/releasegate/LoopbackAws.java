package dev.gantry.fn.releasegate;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.SdkAlarmStates;
import dev.gantry.aws.SdkChangeCalendars;
import dev.gantry.aws.SdkCustomChecks;
import dev.gantry.aws.SqsWire;
import dev.gantry.aws.StateTable;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * An AWS on loopback for the release-gate functions: one WireMock server speaking CodePipeline, S3, ECR, ECS, SQS and
 * CloudWatch (the JSON services told apart by {@code X-Amz-Target}, S3 by path, CloudWatch by its form), DynamoDB
 * Local over HTTP with Gantry's table, and real SDK clients aimed at them. The clients do not retry: the tests count
 * what went over the wire.
 */
final class LoopbackAws implements AutoCloseable {

    static final String TABLE = "gantry-state";
    static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    /** When ECR says {@link #DIGEST} was pushed: {@code imagePushedAt} 1795427892.125, epoch seconds as its JSON gives them. */
    static final Instant PUSHED_AT = Instant.parse("2026-11-23T09:58:12.125Z");
    static final String ARTIFACT_BUCKET = "eu-west-1-111111111111-payments-api";
    static final String PROD_ARTIFACT_KEY = "payments-api/BuildArtif/Jz9oSs4";
    static final String PROD_SERVICE_ARN = "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api";
    /** The revision the lifecycle-hook samples name. */
    static final String PROD_REVISION_ARN = "arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/5146209837166290472";
    static final String ALARM = "payments-api-5xx";
    /** The FIFO queue release news goes to; only its name matters, the SDK sends to the loopback. */
    static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    private static final ObjectMapper JSON = new ObjectMapper();

    final WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
            .extensions(SqsWire.sendMessageAnswer()));
    final DynamoDbClient dynamo;
    final EcsClient ecs;
    final CodePipelineClient codePipeline;
    final EcrClient ecr;
    final CloudWatchClient cloudWatch;
    final SsmClient ssm;
    final SdkHttpClient http = UrlConnectionHttpClient.create();
    private final int dynamoPort;
    private final DynamoDBProxyServer dynamoServer;

    LoopbackAws() throws Exception {
        server.start();
        dynamoPort = freePort();
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        URI endpoint = URI.create(server.baseUrl());
        dynamo = DynamoDbClient.builder().endpointOverride(URI.create(dynamoEndpoint())).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(http).build();
        ecs = EcsClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        codePipeline = CodePipelineClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials)
                .httpClient(http).overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        ecr = EcrClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        cloudWatch = CloudWatchClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials)
                .httpClient(http).overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        ssm = SsmClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        StateTable.createIfMissing(dynamo, TABLE);
    }

    String dynamoEndpoint() {
        return "http://127.0.0.1:" + dynamoPort;
    }

    /** A table of its own, so no test sees another's gate records or job claims. */
    String freshTable() {
        String table = "gantry-" + System.nanoTime();
        StateTable.createIfMissing(dynamo, table);
        return table;
    }

    /** {@code src/test/resources/gantry-gated.yml}: payments-api with prod behind one alarm and two approvals. */
    static Path gatedConfigFile() {
        try {
            return Path.of(LoopbackAws.class.getResource("/gantry-gated.yml").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static GantryConfig gatedConfig() {
        return ConfigLoader.load(gatedConfigFile());
    }

    /** The gate service as the functions wire it, over the real adapters, this loopback and {@code clock}. */
    GateService gateService(GantryConfig config, String table, Clock clock) {
        return new GateService(config, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table),
                new SdkAlarmStates(cloudWatch), new SdkChangeCalendars(ssm), new SdkCustomChecks(null), ApproverGroups.none(), clock)
                .withVetoes(new DynamoDbDeployControls(dynamo, table));
    }

    /** CloudWatch answering that the gate's alarm is in {@code state}, for {@code reason}. */
    void stubAlarm(String state, String reason) {
        server.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(
                CloudWatchWire.metricAlarm(ALARM, state, reason, "2026-03-04T08:00:00.000Z"))));
    }

    /** CodePipeline accepting every job result, as it does for a job waiting for one. */
    void stubPipelineJobResults() {
        server.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutJobSuccessResult").willReturn(JsonProtocolWire.json("{}")));
        server.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutJobFailureResult").willReturn(JsonProtocolWire.json("{}")));
    }

    /** S3 serving {@code zip} as the prod jobs' input artifact, path-style. */
    void stubProdArtifact(byte[] zip) {
        server.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, PROD_ARTIFACT_KEY).willReturn(S3Wire.object(zip)));
    }

    /** ECR answering {@code DescribeImages} for payments-api:1.4.0 with {@link #DIGEST}, pushed at {@link #PUSHED_AT}. */
    void stubEcrTag() {
        server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(WireMock.matchingJsonPath("$.imageIds[0].imageTag", WireMock.equalTo("1.4.0")))
                .willReturn(JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111111111111","repositoryName":"payments-api","imageDigest":"%s",
                          "imageTags":["1.4.0"],"imagePushedAt":1795427892.125}]}""".formatted(DIGEST))));
    }

    /**
     * ECS describing {@link #PROD_REVISION_ARN} as ECS creates a revision: each container's image as the task definition
     * names it (by tag) and the digest ECS resolved it to, the app's being {@link #DIGEST}.
     */
    void stubProdRevision() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"%s",
                  "clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/prod",
                  "taskDefinition":"arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:18",
                  "launchType":"FARGATE","platformVersion":"1.4.0","platformFamily":"Linux",
                  "containerImages":[
                    {"containerName":"app","imageDigest":"%s","image":"%s/payments-api:1.4.0"},
                    {"containerName":"log-router",
                     "imageDigest":"sha256:5b2c1a9e0f3d4c7b8a6e9d1f2c3b4a5e6d7c8b9a0f1e2d3c4b5a697887766554",
                     "image":"public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4"}],
                  "createdAt":1.7726184E9}],
                 "failures":[]}""".formatted(PROD_REVISION_ARN, PROD_SERVICE_ARN, DIGEST, REGISTRY))));
    }

    /** SQS taking every message it is sent. */
    void stubSqsSendMessage() {
        server.stubFor(SqsWire.sendMessage().willReturn(SqsWire.answered()));
    }

    /** The bodies of every SendMessage that reached SQS, in order, as JSON. */
    List<JsonNode> sqsMessagesSent() {
        return SqsWire.sent(server);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        ecs.close();
        codePipeline.close();
        ecr.close();
        cloudWatch.close();
        ssm.close();
        dynamo.close();
        http.close();
        dynamoServer.stop();
        server.stop();
    }
}
