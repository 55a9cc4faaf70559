package dev.gantry.fn.ecsdeploy;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.SqsWire;
import dev.gantry.aws.StagingPaymentsApiWire;
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
    static final String REGISTRY = StagingPaymentsApiWire.REGISTRY;
    static final String RUNNING_ARN = StagingPaymentsApiWire.RUNNING_ARN;
    static final String NEW_ARN = StagingPaymentsApiWire.NEW_ARN;

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
        StagingPaymentsApiWire.serve(ecs);
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

    /**
     * ECR answering {@code DescribeImages} for {@code repository@digest} in the example registry, pushed at
     * {@code imagePushedAt} (epoch seconds, as ECR's JSON gives it).
     */
    void stubEcrImage(String repository, String digest, String imagePushedAt) {
        ecs.stubFor(dev.gantry.aws.JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath("$.imageIds[0].imageDigest",
                        com.github.tomakehurst.wiremock.client.WireMock.equalTo(digest)))
                .willReturn(dev.gantry.aws.JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111111111111","repositoryName":"%s","imageDigest":"%s","imagePushedAt":%s}]}"""
                        .formatted(repository, digest, imagePushedAt))));
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
