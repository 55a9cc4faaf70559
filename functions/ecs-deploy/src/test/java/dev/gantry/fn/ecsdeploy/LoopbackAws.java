package dev.gantry.fn.ecsdeploy;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SqsWire;
import dev.gantry.aws.StateTable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * An AWS on loopback for the deploy function: WireMock speaking ECS, serving the example
 * configuration's staging payments-api service, and DynamoDB Local over HTTP with Gantry's table.
 */
final class LoopbackAws implements AutoCloseable {

    static final String TABLE = "gantry-state";
    static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    static final String RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:41";
    static final String NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42";

    /** The FIFO queue release news goes to; only its name matters, the SDK sends to the loopback. */
    static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";

    final WireMockServer ecs = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
            .extensions(SqsWire.sendMessageAnswer()));
    final int dynamoPort;
    private final DynamoDBProxyServer dynamoServer;
    final DynamoDbClient dynamo;

    LoopbackAws() throws Exception {
        ecs.start();
        dynamoPort = freePort();
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoEndpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        StateTable.createIfMissing(dynamo, TABLE);
        stubStagingService();
    }

    /** SQS taking every message it is sent. */
    void stubSqsSendMessage() {
        ecs.stubFor(SqsWire.sendMessage().willReturn(SqsWire.answered()));
    }

    String dynamoEndpoint() {
        return "http://127.0.0.1:" + dynamoPort;
    }

    void stubStagingService() {
        ecs.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                  "status":"ACTIVE","taskDefinition":"%s",
                  "deployments":[{"status":"PRIMARY","taskDefinition":"%s"}]}],"failures":[]}""".formatted(RUNNING_ARN, RUNNING_ARN))));
        ecs.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-staging","revision":41,"status":"ACTIVE",
                  "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                  "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"compatibilities":["EC2","FARGATE"],
                  "cpu":"512","memory":"1024","registeredAt":1.7E9,
                  "containerDefinitions":[
                    {"name":"app","image":"%s/payments-api:1.3.0","essential":true,
                     "portMappings":[{"containerPort":8080,"protocol":"tcp"}],
                     "environment":[{"name":"SPRING_PROFILES_ACTIVE","value":"staging"}]},
                    {"name":"log-router","image":"public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4","essential":false,
                     "firelensConfiguration":{"type":"fluentbit"}}]},
                 "tags":[{"key":"service","value":"payments-api"}]}""".formatted(RUNNING_ARN, REGISTRY))));
        ecs.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + NEW_ARN + "\",\"revision\":42}}")));
        ecs.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json(
                "{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + NEW_ARN + "\"}}")));
    }

    /**
     * Serves {@code zip} as a pipeline artifact: S3's {@code GetObject}, path-style, on the same server. The
     * endpoint override of a test points every client here, S3 included.
     */
    void stubPipelineArtifact(String bucket, String key, byte[] zip) {
        ecs.stubFor(dev.gantry.aws.S3Wire.getObject(bucket, key).willReturn(dev.gantry.aws.S3Wire.object(zip)));
    }

    /** CodePipeline accepting every job result, as it does for a job waiting for one. */
    void stubPipelineJobResults() {
        dev.gantry.aws.JsonProtocolWire codePipeline = dev.gantry.aws.JsonProtocolWire.CODEPIPELINE;
        ecs.stubFor(codePipeline.operation("PutJobSuccessResult").willReturn(dev.gantry.aws.JsonProtocolWire.json("{}")));
        ecs.stubFor(codePipeline.operation("PutJobFailureResult").willReturn(dev.gantry.aws.JsonProtocolWire.json("{}")));
    }

    /** ECR answering {@code DescribeImages} for {@code repository:tag} in the example registry with {@code digest}. */
    void stubEcrTag(String repository, String tag, String digest) {
        ecs.stubFor(dev.gantry.aws.JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.imageIds[0].imageTag",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(tag)))
                .willReturn(dev.gantry.aws.JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111111111111","repositoryName":"%s","imageDigest":"%s","imageTags":["%s"]}]}"""
                        .formatted(repository, digest, tag))));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The release records in the table (not the environment locks or job records beside them). */
    java.util.List<java.util.Map<String, software.amazon.awssdk.services.dynamodb.model.AttributeValue>> releaseItems() {
        return dynamo.scan(r -> r.tableName(TABLE)).items().stream()
                .filter(item -> item.get("pk").s().startsWith("RELEASE#"))
                .toList();
    }

    @Override
    public void close() throws Exception {
        dynamo.close();
        dynamoServer.stop();
        ecs.stop();
    }
}
