package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.aws.StateTable;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * AWS and Slack on loopback, where any single call can be made to fail: one WireMock server answers every service
 * (matched on {@code X-Amz-Target}, the query action or the path) and passes DynamoDB's calls through to DynamoDB
 * Local, so state is real and its calls can fail like any other.
 */
final class FaultyAws implements AutoCloseable {

    /**
     * The read timeout the functions get here: short, so that a call that hangs costs the suite little, yet with room
     * for a loaded two-core CI machine (a whole call is cut off at two and a half of it).
     */
    static final int READ_TIMEOUT_MS = 1500;
    static final String REGION = "eu-west-1";
    private static final int PROXY_PRIORITY = 10;
    private static final int FAULT_PRIORITY = 1;
    private static final AtomicInteger TABLES = new AtomicInteger();

    final WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").containerThreads(32));
    private final DynamoDBProxyServer dynamoServer;
    private final int dynamoPort;
    /** Straight to DynamoDB Local, never faulted: what a test reads the outcome with. */
    final DynamoDbClient dynamo;

    FaultyAws() throws Exception {
        server.start();
        dynamoPort = freePort();
        dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
        dynamoServer.start();
        dynamo = dynamoClient(URI.create("http://127.0.0.1:" + dynamoPort));
        reset();
        warmUpProxy();
    }

    private static DynamoDbClient dynamoClient(URI endpoint) {
        return DynamoDbClient.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }

    /**
     * The first call WireMock proxies starts its proxy client, which takes seconds on a busy machine: longer than a
     * function's call may take here, so the first DynamoDB call of a clean run would time out. Made once, at start.
     */
    private void warmUpProxy() {
        try (DynamoDbClient viaProxy = dynamoClient(URI.create(endpoint()))) {
            viaProxy.listTables();
        }
        server.resetRequests();
    }

    String endpoint() {
        return server.baseUrl();
    }

    /** Forgets every stub, fault and request, leaving only DynamoDB's pass-through. */
    void reset() {
        server.resetAll();
        server.setGlobalFixedDelay(0);
        server.stubFor(any(urlEqualTo("/")).atPriority(PROXY_PRIORITY)
                .withHeader("X-Amz-Target", matching("DynamoDB_20120810\\..*"))
                .willReturn(aResponse().proxiedFrom("http://127.0.0.1:" + dynamoPort)));
    }

    /** A new, empty state table. */
    String freshTable() {
        String table = "gantry-faults-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(dynamo, table);
        return table;
    }

    /**
     * Ready for one play of {@code scenario}: every stub, fault and request forgotten, its calls answered normally, and
     * an empty state table; returns the environment the play runs in.
     */
    Map<String, String> freshEnvironment(FaultScenario scenario) {
        reset();
        scenario.stubServices(this);
        return environment(freshTable());
    }

    /** The environment Lambda would give a function here: region, fake keys, every endpoint on this server. */
    Map<String, String> environment(String table) {
        Map<String, String> environment = new HashMap<>();
        environment.put("AWS_REGION", REGION);
        environment.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        environment.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        environment.put("AWS_ENDPOINT_URL", endpoint());
        environment.put("GANTRY_AWS_READ_TIMEOUT_MS", Integer.toString(READ_TIMEOUT_MS));
        environment.put("GANTRY_TABLE", table);
        environment.put("GANTRY_CONFIG", Path.of("../examples/gantry.yml").toAbsolutePath().normalize().toString());
        return environment;
    }

    /**
     * Makes {@code operation} fail with {@code fault} for its next {@code times} calls ({@link Integer#MAX_VALUE}: for
     * good), after which it is answered as before. A slow response slows every call instead, each by
     * {@link Fault#SLOW_MS}.
     */
    void inject(Operation operation, Fault fault, int times) {
        if (fault == Fault.SLOW_RESPONSE) {
            server.setGlobalFixedDelay(Fault.SLOW_MS);
            return;
        }
        if (times == Integer.MAX_VALUE) {
            server.stubFor(operation.pattern().atPriority(FAULT_PRIORITY).willReturn(fault.response(operation.protocol(), READ_TIMEOUT_MS)));
            return;
        }
        String scenario = "fault " + operation.key();
        for (int i = 0; i < times; i++) {
            server.stubFor(operation.pattern().atPriority(FAULT_PRIORITY)
                    .inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "failed " + i)
                    .willSetStateTo(i == times - 1 ? "recovered" : "failed " + (i + 1))
                    .willReturn(fault.response(operation.protocol(), READ_TIMEOUT_MS)));
        }
    }

    /** Ends every fault: the services answer normally again, as after an outage. */
    void heal() {
        server.setGlobalFixedDelay(0);
        server.getStubMappings().stream()
                .filter(stub -> stub.getPriority() != null && stub.getPriority() == FAULT_PRIORITY)
                .toList()
                .forEach(server::removeStub);
    }

    /** Every request made so far and how it was answered, oldest first. */
    List<ServeEvent> journal() {
        List<ServeEvent> events = new ArrayList<>(server.getAllServeEvents());
        Collections.reverse(events);
        return events;
    }

    /** Every distinct call made so far, in the order first made. */
    List<Operation> operations() {
        Map<String, Operation> seen = new LinkedHashMap<>();
        for (ServeEvent event : journal()) {
            Operation operation = Operation.of(event.getRequest());
            seen.putIfAbsent(operation.key(), operation);
        }
        return List.copyOf(seen.values());
    }

    /** How many calls of {@code operation} were answered with success: the side effects that took place. */
    long succeeded(String operationName) {
        return server.getAllServeEvents().stream()
                .filter(event -> Operation.of(event.getRequest()).name().equals(operationName))
                .filter(FaultyAws::answeredWithSuccess)
                .count();
    }

    /** Answered 2xx, neither faulted nor delayed: a call whose effect took place and whose caller heard so. */
    static boolean answeredWithSuccess(ServeEvent event) {
        return event.getResponse() != null && event.getResponse().getStatus() / 100 == 2 && event.getResponseDefinition().getFault() == null
                && event.getResponseDefinition().getFixedDelayMilliseconds() == null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        dynamo.close();
        dynamoServer.stop();
        server.stop();
    }
}
