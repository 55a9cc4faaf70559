package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The loopback AWS a function's SnapStart priming is tested against, with the SDK clients built by the function's own
 * wiring from its environment: WireMock answering every other AWS call, and DynamoDB Local behind a recording WireMock
 * proxy, so every call priming makes is seen on the wire. The wiring reads endpoints and credentials where the SDK reads
 * them, so while this is open the SDK's system properties point there; {@link #close} puts them back.
 *
 * <p>A test class registers it as a static {@code @RegisterExtension}: it opens before the class's first test and
 * closes after its last.
 */
public final class PrimingLoopback implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

    public static final String TABLE = "gantry-state";
    public static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    public static final String BOT_TOKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-AbCdEf";

    // What the SDK reads when a client is built: the endpoints, and the credentials its default chain finds first.
    private static final String ENDPOINT = "aws.endpointUrl";
    private static final String DYNAMODB_ENDPOINT = "aws.endpointUrlDynamoDb";
    private static final String ACCESS_KEY_ID = "aws.accessKeyId";
    private static final String SECRET_ACCESS_KEY = "aws.secretAccessKey";

    private static final Map<String, String> SERVICES = Map.of(
            "DynamoDB_20120810", "DynamoDB",
            "AmazonEC2ContainerServiceV20141113", "ECS",
            "AmazonEC2ContainerRegistry_V20150921", "ECR",
            "CodePipeline_20150709", "CodePipeline",
            "CodeBuild_20161006", "CodeBuild",
            "AmazonSSM", "SSM",
            "AmazonSQS", "SQS",
            "secretsmanager", "Secrets Manager");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> QUERY_SERVICES = Map.of("2010-08-01", "CloudWatch", "2011-06-15", "STS");

    private final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private final WireMockServer dynamoWire = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private DynamoDBProxyServer dynamoServer;
    private String dynamoEndpoint;
    private DynamoDbClient dynamo;
    private final Map<String, String> saved = new LinkedHashMap<>();

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        open();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    /** Starts DynamoDB Local with Gantry's table and both WireMock servers, answering. */
    public void open() throws Exception {
        int dynamoPort = freePort();
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        dynamoEndpoint = "http://127.0.0.1:" + dynamoPort;
        dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(dynamoEndpoint))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
        StateTable.createIfMissing(dynamo, TABLE);
        aws.start();
        dynamoWire.start();
        for (String property : List.of(ENDPOINT, DYNAMODB_ENDPOINT, ACCESS_KEY_ID, SECRET_ACCESS_KEY)) {
            saved.put(property, System.getProperty(property));
        }
        System.setProperty(ACCESS_KEY_ID, "testaccesskey");
        System.setProperty(SECRET_ACCESS_KEY, "test-secret-key");
        answering();
    }

    /**
     * AWS answers: the JSON services with an empty object, CloudWatch with no alarms, DynamoDB is DynamoDB Local. For
     * clients built from now on.
     */
    public void answering() {
        reset();
        aws.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", matching(".+"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody("{}")));
        aws.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms()));
        dynamoWire.stubFor(any(anyUrl()).willReturn(aResponse().proxiedFrom(dynamoEndpoint)));
        System.setProperty(ENDPOINT, aws.baseUrl());
        System.setProperty(DYNAMODB_ENDPOINT, dynamoWire.baseUrl());
    }

    /** AWS fails: every service but DynamoDB answers 500, and DynamoDB is a port nothing listens on. For clients built from now on. */
    public void failing() throws IOException {
        reset();
        aws.stubFor(any(anyUrl()).willReturn(aResponse().withStatus(500).withBody("loopback AWS is down")));
        System.setProperty(ENDPOINT, aws.baseUrl());
        System.setProperty(DYNAMODB_ENDPOINT, "http://127.0.0.1:" + freePort());
    }

    private void reset() {
        aws.resetAll();
        dynamoWire.resetAll();
    }

    /**
     * What a function's wiring reads: the example configuration, the state table, the region, and the notify queue and
     * bot token secret, so that the clients for them are built too.
     */
    public Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        environment.put(DynamoDbReleaseStore.TABLE_ENV, TABLE);
        environment.put(AwsClients.REGION_ENV, "eu-west-1");
        environment.put(SqsNotifier.QUEUE_URL_ENV, NOTIFY_QUEUE);
        environment.put(GateAdapters.SLACK_TOKEN_SECRET_ARN_ENV, BOT_TOKEN_SECRET);
        return environment;
    }

    /**
     * Every AWS call made since the last {@link #answering} or {@link #failing}, named "DynamoDB GetItem",
     * "CloudWatch DescribeAlarms", ...; in no particular order across services.
     */
    public List<String> operations() {
        List<String> operations = new ArrayList<>();
        for (WireMockServer server : List.of(dynamoWire, aws)) {
            // WireMock lists what it served newest first.
            List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
            Collections.reverse(events);
            events.forEach(event -> operations.add(operation(event.getRequest())));
        }
        return operations;
    }

    /** The bodies of the calls named {@code operation}, as in {@link #operations}, in order. */
    public List<JsonNode> requests(String operation) {
        List<JsonNode> bodies = new ArrayList<>();
        for (WireMockServer server : List.of(dynamoWire, aws)) {
            List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
            Collections.reverse(events);
            for (ServeEvent event : events) {
                if (operation(event.getRequest()).equals(operation)) {
                    try {
                        bodies.add(JSON.readTree(event.getRequest().getBodyAsString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }
        return bodies;
    }

    /** The items in the state table: priming must leave it as it found it. */
    public int stateTableItems() {
        return dynamo.scan(r -> r.tableName(TABLE)).count();
    }

    private static String operation(Request request) {
        String target = request.getHeader("X-Amz-Target");
        if (target != null && target.contains(".")) {
            String prefix = target.substring(0, target.indexOf('.'));
            return SERVICES.getOrDefault(prefix, prefix) + " " + target.substring(target.indexOf('.') + 1);
        }
        Map<String, String> form = form(request.getBodyAsString());
        if (form.containsKey("Action")) {
            return QUERY_SERVICES.getOrDefault(form.get("Version"), "query") + " " + form.get("Action");
        }
        return request.getMethod() + " " + request.getUrl();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        saved.forEach((property, value) -> {
            if (value == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, value);
            }
        });
        // The proxy first: a connection it keeps open to DynamoDB Local would hold up that server's stop.
        dynamoWire.stop();
        aws.stop();
        dynamo.close();
        dynamoServer.stop();
    }
}
