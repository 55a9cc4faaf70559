package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import dev.gantry.core.chatops.ManualFreezes.ManualFreezesException;
import dev.gantry.testing.ManualFreezesContract;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The manual-freezes contract against DynamoDB Local, read a page of one item at a time, and its item layout. */
class DynamoDbManualFreezesIT extends ManualFreezesContract {

    /** One item a page, so that the contract's reads cross page boundaries as a long list would. */
    private static final int PAGE_SIZE = 1;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected ManualFreezes freezes() {
        return new DynamoDbManualFreezes(dynamo, freshTable(), PAGE_SIZE);
    }

    @Test
    void keepsAFreezeWithAnEndUntilADayAfterIt() {
        String table = freshTable();
        ManualFreezes freezes = new DynamoDbManualFreezes(dynamo, table);

        freezes.put(new ManualFreeze("prod", T0.plus(Duration.ofHours(2)), "incident 4711", "U012ALICE", T0));

        Map<String, AttributeValue> item = rawItem(table, "prod");
        assertThat(item.get("scope").s()).isEqualTo("prod");
        assertThat(item.get("until").s()).isEqualTo("2026-11-23T12:00:00Z");
        assertThat(item.get("reason").s()).isEqualTo("incident 4711");
        assertThat(item.get("frozenBy").s()).isEqualTo("U012ALICE");
        assertThat(item.get("frozenAt").s()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0.plus(Duration.ofHours(2)).plus(Duration.ofDays(1)).getEpochSecond()));
    }

    @Test
    void letsNoTtlRemoveAFreezeThatLastsUntilLifted() {
        String table = freshTable();
        ManualFreezes freezes = new DynamoDbManualFreezes(dynamo, table);
        freezes.put(new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, T0.plusSeconds(60), "", "U1", T0));

        freezes.put(new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "", "U2", T0.plusSeconds(30)));

        Map<String, AttributeValue> item = rawItem(table, "*");
        assertThat(item.get("frozenBy").s()).isEqualTo("U2");
        assertThat(item).doesNotContainKeys("expiresAt", "until", "reason");
        assertThat(freezes.all()).containsExactly(new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "", "U2", T0.plusSeconds(30)));
    }

    @Test
    void reportsAnUnreachableTableAsAFreezesFailure() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            ManualFreezes freezes = new DynamoDbManualFreezes(unreachable, "gantry-state");

            assertThatThrownBy(freezes::all)
                    .isInstanceOf(ManualFreezesException.class)
                    .hasMessageStartingWith("reading the manual freezes from table gantry-state failed: ");
            assertThatThrownBy(() -> freezes.put(new ManualFreeze("prod", null, "", "U1", T0)))
                    .isInstanceOf(ManualFreezesException.class)
                    .hasMessageStartingWith("putting the manual freeze of prod in table gantry-state failed: ");
            assertThatThrownBy(() -> freezes.lift("prod"))
                    .isInstanceOf(ManualFreezesException.class)
                    .hasMessageStartingWith("lifting the manual freeze of prod in table gantry-state failed: ");
        }
    }

    private static Map<String, AttributeValue> rawItem(String table, String scope) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS("FREEZES"), StateTable.SORT_KEY, AttributeValue.fromS(scope)))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
