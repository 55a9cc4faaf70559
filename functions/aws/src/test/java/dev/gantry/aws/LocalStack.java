package dev.gantry.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TimeToLiveDescription;

/**
 * The LocalStack that {@code *LocalStackIT} tests run against: the one {@code AWS_ENDPOINT_URL} names in this JVM's
 * environment, which {@code ./mvnw -Plocalstack verify} sets for them, with a region and fake credentials, exactly as
 * Lambda gives a function its settings. Without a LocalStack, {@link #assumeRunning} skips each test with a message
 * saying how to start one.
 */
public final class LocalStack {

    /** What a skipped test says to do. */
    public static final String HOW_TO_START = "start LocalStack (`localstack start -d`, or `docker run --rm -d -p 4566:4566"
            + " localstack/localstack`), then run `./mvnw -Plocalstack verify`; -Dlocalstack.endpoint=URL or LOCALSTACK_ENDPOINT"
            + " names one elsewhere";

    /** The attribute DynamoDB expires state items by: {@code GantryStateTable.TTL_ATTRIBUTE} in infra. */
    public static final String TTL_ATTRIBUTE = "expiresAt";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> UP = Set.of("available", "running");
    private static final Map<Set<String>, Optional<String>> PROBLEMS = new HashMap<>();

    private LocalStack() {}

    /** LocalStack's address, as the functions' SDK clients see it. */
    public static URI endpoint() {
        return URI.create(System.getenv("AWS_ENDPOINT_URL"));
    }

    /** The region and fake credentials the profile set, for a process the test starts itself. */
    public static Map<String, String> awsEnvironment() {
        Map<String, String> environment = new HashMap<>();
        for (String name : List.of("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")) {
            environment.put(name, System.getenv(name));
        }
        return environment;
    }

    /**
     * Skips the calling test unless LocalStack answers its health check and offers every one of {@code services}
     * (LocalStack's names: {@code dynamodb}, {@code sqs}, {@code secretsmanager}). Call it from {@code @BeforeEach}: an
     * assumption that fails there reports each test as skipped with the reason, where one in {@code @BeforeAll} leaves
     * the class reported as no tests at all.
     */
    public static void assumeRunning(String... services) {
        String problem = problem(services);
        Assumptions.assumeTrue(problem == null, problem);
    }

    /** Whether {@link #assumeRunning} lets tests run: for {@code @BeforeAll}, which creates what they share only then. */
    public static boolean isRunning(String... services) {
        return problem(services) == null;
    }

    /** Why tests needing {@code services} cannot run, or null; asked once per set of services in this JVM. */
    private static synchronized String problem(String... services) {
        return PROBLEMS.computeIfAbsent(Set.of(services), LocalStack::probe).orElse(null);
    }

    private static Optional<String> probe(Set<String> services) {
        String endpoint = System.getenv("AWS_ENDPOINT_URL");
        // Without both, the SDK would pick an endpoint or credentials of its own: these tests never talk to AWS itself.
        if (endpoint == null || endpoint.isBlank() || System.getenv("AWS_ACCESS_KEY_ID") == null) {
            return Optional.of("AWS_ENDPOINT_URL and fake credentials are not set in this JVM; " + HOW_TO_START);
        }
        URI health = URI.create(endpoint.replaceAll("/+$", "") + "/_localstack/health");
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            answer = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return Optional.of("LocalStack is not reachable at " + endpoint + " (" + e + "): " + HOW_TO_START);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while asking " + health + " whether LocalStack runs");
        }
        if (answer.statusCode() != 200) {
            return Optional.of(health + " answered HTTP " + answer.statusCode() + ", not LocalStack's health: " + HOW_TO_START);
        }
        JsonNode offered;
        try {
            offered = JSON.readTree(answer.body()).path("services");
        } catch (IOException e) {
            return Optional.of(health + " answered something other than LocalStack's health JSON: " + HOW_TO_START);
        }
        List<String> missing = new ArrayList<>();
        for (String service : new TreeSet<>(services)) {
            String status = offered.path(service).asText("absent");
            if (!UP.contains(status)) {
                missing.add(service + " (" + status + ")");
            }
        }
        if (!missing.isEmpty()) {
            return Optional.of("the LocalStack at " + endpoint + " does not offer " + String.join(", ", missing)
                    + "; start one with those services enabled");
        }
        return Optional.empty();
    }

    /** The clients as a function builds them at init, from this JVM's environment plus {@code settings}. */
    public static AwsClients clients(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.putAll(settings);
        return new AwsClients(environment);
    }

    /** {@code prefix} and a short random suffix: runs, and leftovers of an interrupted run, never share a resource. */
    public static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * A new state table as {@code GantryStateTable} in infra declares it: string keys {@code pk} and {@code sk}, on
     * demand, items expiring by {@value #TTL_ATTRIBUTE}; returned once it is active.
     */
    public static String createStateTable(DynamoDbClient dynamo, String prefix) {
        String table = uniqueName(prefix);
        StateTable.createIfMissing(dynamo, table);
        dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
        dynamo.updateTimeToLive(r -> r.tableName(table).timeToLiveSpecification(s -> s.attributeName(TTL_ATTRIBUTE).enabled(true)));
        return table;
    }

    /** The table's time-to-live setting, as DynamoDB reports it. */
    public static TimeToLiveDescription timeToLive(DynamoDbClient dynamo, String table) {
        return dynamo.describeTimeToLive(r -> r.tableName(table)).timeToLiveDescription();
    }

    /** Deletes a table a test created; one already gone is fine. */
    public static void deleteTable(DynamoDbClient dynamo, String table) {
        if (table == null) {
            return;
        }
        try {
            dynamo.deleteTable(r -> r.tableName(table));
        } catch (ResourceNotFoundException e) {
            // Nothing left to clean up.
        }
    }
}
