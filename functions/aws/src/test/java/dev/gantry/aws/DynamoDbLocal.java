package dev.gantry.aws;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClientBuilder;

/**
 * One embedded DynamoDB Local for every IT in the JVM, started on first use and stopped when the JVM exits; tests
 * stay apart by each taking a state table of its own rather than by restarting it.
 */
public final class DynamoDbLocal {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private DynamoDbLocal() {}

    /** The client of the shared DynamoDB Local. */
    public static DynamoDbClient client() {
        return Instance.CLIENT;
    }

    /** A new, empty state table, named so that no other test in the JVM shares it. */
    public static String freshTable() {
        String table = "gantry-state-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(client(), table);
        return table;
    }

    /**
     * A client builder aimed at a loopback port nothing listens on, with fake credentials, so that every call fails
     * on the wire; the test adds its own retry settings and builds it.
     */
    static DynamoDbClientBuilder unreachableClient() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        return DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + closedPort))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create());
    }

    /** Started by the first {@link #client()}, so a run with no DynamoDB test starts nothing. */
    private static final class Instance {

        private static final AmazonDynamoDBLocal LOCAL = DynamoDBEmbedded.create();
        private static final DynamoDbClient CLIENT = LOCAL.dynamoDbClient();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(LOCAL::shutdown, "dynamodb-local-shutdown"));
        }
    }
}
