package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;

import dev.gantry.core.release.ReleaseStore;
import dev.gantry.testing.ReleaseStoreContract;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The release-store contract against DynamoDB Local, whose conditional writes behave as DynamoDB's. */
class DynamoDbReleaseStoreIT extends ReleaseStoreContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Test
    void reportsAnUnreachableTableAsAStoreFailureNamingTheRelease() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient().build()) {
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
        return new DynamoDbReleaseStore(dynamo, freshTable());
    }
}
