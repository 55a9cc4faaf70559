package dev.gantry.local;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.StateTable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * An AWS on loopback for measuring functions in fresh JVMs: ECS answered by WireMock from the canned
 * responses in {@code events/gantry-ecs-response-*.json}, and DynamoDB Local over HTTP with Gantry's table.
 * Writes {@code AWS_ENDPOINT_URL=...} and {@code AWS_ENDPOINT_URL_DYNAMODB=...} lines to the file given
 * as the first argument once both are up, then serves until killed.
 */
public final class LoopbackAwsServer {

    static final String TABLE = "gantry-state";
    private static final String ECS_TARGET = "AmazonEC2ContainerServiceV20141113.";

    private LoopbackAwsServer() {}

    public static void main(String[] args) throws Exception {
        Path endpointsFile = Path.of(args[0]);
        Path events = Path.of(args.length > 1 ? args[1] : "events");
        WireMockServer ecs = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(8));
        ecs.start();
        stub(ecs, "DescribeServices", events.resolve("gantry-ecs-response-describe-services-payments-api.json"));
        stub(ecs, "DescribeTaskDefinition", events.resolve("gantry-ecs-response-describe-task-definition-payments-api.json"));
        stub(ecs, "RegisterTaskDefinition", events.resolve("gantry-ecs-response-register-task-definition-payments-api.json"));
        stub(ecs, "UpdateService", events.resolve("gantry-ecs-response-update-service-payments-api.json"));
        stub(ecs, "ListTaskDefinitions", events.resolve("gantry-ecs-response-list-task-definitions-payments-api.json"));
        stub(ecs, "DeregisterTaskDefinition", events.resolve("gantry-ecs-response-deregister-task-definition-payments-api.json"));

        int dynamoPort = freePort();
        DynamoDBProxyServer dynamoServer = ServerRunner.createServerFromCommandLineArgs(
                new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        String dynamoUrl = "http://127.0.0.1:" + dynamoPort;
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoUrl))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            StateTable.createIfMissing(dynamo, TABLE);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            ecs.stop();
            try {
                dynamoServer.stop();
            } catch (Exception e) {
                // Exiting anyway.
            }
        }));
        Path partial = endpointsFile.resolveSibling(endpointsFile.getFileName() + ".tmp");
        Files.writeString(partial, "AWS_ENDPOINT_URL=" + ecs.baseUrl() + "\nAWS_ENDPOINT_URL_DYNAMODB=" + dynamoUrl + "\n",
                StandardCharsets.UTF_8);
        Files.move(partial, endpointsFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    private static void stub(WireMockServer server, String operation, Path body) throws IOException {
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(ECS_TARGET + operation))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody(Files.readString(body, StandardCharsets.UTF_8))));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
