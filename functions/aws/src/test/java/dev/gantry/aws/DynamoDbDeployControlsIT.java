package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployControls.Pin;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.release.ReleaseStore.ReleaseStoreException;
import dev.gantry.testing.DeployControlsContract;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The deploy-controls contract against DynamoDB Local, and the item layout other tools read. */
class DynamoDbDeployControlsIT extends DeployControlsContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected DeployControls controls() {
        return new DynamoDbDeployControls(dynamo, freshTable());
    }

    @Test
    void keysAVetoByServiceEnvironmentAndDigestAndAPinByEnvironment() {
        String table = freshTable();
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
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient().build()) {
            DeployControls controls = new DynamoDbDeployControls(unreachable, "gantry-state");

            assertThatThrownBy(() -> controls.veto(new Veto("payments-api", "staging", digest("bad"), "r", "ecs-rollback", T0)))
                    .isInstanceOf(ReleaseStoreException.class)
                    .hasMessageContaining("vetoing").hasMessageContaining("payments-api/staging").hasMessageContaining("gantry-state");
            assertThatThrownBy(() -> controls.pinOf("payments-api", "prod"))
                    .isInstanceOf(ReleaseStoreException.class).hasMessageContaining("reading the pin of payments-api/prod");
        }
    }
}
