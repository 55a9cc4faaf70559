package dev.gantry.aws;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.testing.ReleaseStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The release-store contract against DynamoDB Local, whose conditional writes behave as DynamoDB's. */
class DynamoDbReleaseStoreIT extends ReleaseStoreContract {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static AmazonDynamoDBLocal dynamoLocal;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void startDynamoDbLocal() {
        dynamoLocal = DynamoDBEmbedded.create();
        dynamo = dynamoLocal.dynamoDbClient();
    }

    @AfterAll
    static void stopDynamoDbLocal() {
        dynamoLocal.shutdown();
    }

    @Test
    void reportsAnUnreachableTableAsAStoreFailureNamingTheRelease() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (DynamoDbClient unreachable = DynamoDbClient.builder()
                .endpointOverride(java.net.URI.create("http://127.0.0.1:" + closedPort))
                .region(software.amazon.awssdk.regions.Region.EU_WEST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
                .build()) {
            ReleaseStore store = new DynamoDbReleaseStore(unreachable, "gantry-state");

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.claim(proposal(key("x"), "inv-1", T0), T0, LEASE))
                    .isInstanceOf(ReleaseStore.ReleaseStoreException.class)
                    .hasMessageContaining("claiming release payments-api/staging/")
                    .hasMessageContaining("gantry-state");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.find(key("x")))
                    .isInstanceOf(ReleaseStore.ReleaseStoreException.class)
                    .hasMessageContaining("reading release");
        }
    }

    @Override
    protected ReleaseStore store() {
        String table = "gantry-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(dynamo, table);
        return new DynamoDbReleaseStore(dynamo, table);
    }
}
