package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Pin;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.release.ReleaseStore.ReleaseStoreException;
import dev.gantry.testing.DeployControlsContract;
import java.net.ServerSocket;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The deploy-controls contract against DynamoDB Local, and the item layout other tools read. */
class DynamoDbDeployControlsIT extends DeployControlsContract {

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

    @Override
    protected DeployControls controls() {
        return new DynamoDbDeployControls(dynamo, newTable());
    }

    @Test
    void keysAVetoByServiceEnvironmentAndDigestAndAPinByEnvironment() {
        String table = newTable();
        DeployControls controls = new DynamoDbDeployControls(dynamo, table);

        controls.veto(new Veto("payments-api", "staging", digest("bad"), "rolled back", "ecs-rollback", T0));
        controls.pin(new Pin("payments-api", "prod", digest("good"), null, "freeze", "U0EXAMPLE1", T0));

        Map<String, AttributeValue> veto = dynamo.getItem(r -> r.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS("VETO#payments-api#staging"), "sk", AttributeValue.fromS(digest("bad").value())))).item();
        Map<String, AttributeValue> pin = dynamo.getItem(r -> r.tableName(table).key(Map.of(
                "pk", AttributeValue.fromS("PIN#payments-api#prod"), "sk", AttributeValue.fromS("PIN")))).item();
        assertThat(veto.get("by").s()).isEqualTo("ecs-rollback");
        assertThat(veto.get("at").s()).isEqualTo("2026-11-23T10:00:00.123456789Z");
        assertThat(pin.get("digest").s()).isEqualTo(digest("good").value());
        assertThat(pin).doesNotContainKey("until");
    }

    @Test
    void reportsAnUnreachableTableAsAStoreFailureNamingWhatFailed() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (DynamoDbClient unreachable = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + closedPort))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build()) {
            DeployControls controls = new DynamoDbDeployControls(unreachable, "gantry-state");

            assertThatThrownBy(() -> controls.veto(new Veto("payments-api", "staging", digest("bad"), "r", "ecs-rollback", T0)))
                    .isInstanceOf(ReleaseStoreException.class)
                    .hasMessageContaining("vetoing").hasMessageContaining("payments-api/staging").hasMessageContaining("gantry-state");
            assertThatThrownBy(() -> controls.pinOf("payments-api", "prod"))
                    .isInstanceOf(ReleaseStoreException.class).hasMessageContaining("reading the pin of payments-api/prod");
        }
    }

    private static String newTable() {
        String table = "gantry-controls-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(dynamo, table);
        return table;
    }
}
