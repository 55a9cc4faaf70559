package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.chatops.ChatRequestLedger;
import dev.gantry.core.chatops.ChatRequestLedger.ChatRequestLedgerException;
import dev.gantry.core.chatops.ChatRequestLedger.Claim;
import dev.gantry.testing.ChatRequestLedgerContract;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;

/** The chat request ledger contract against DynamoDB Local, whose conditional writes behave as DynamoDB's, and its item layout. */
class DynamoDbChatRequestLedgerIT extends ChatRequestLedgerContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected ChatRequestLedger ledger() {
        return new DynamoDbChatRequestLedger(dynamo, freshTable());
    }

    @Test
    void keepsTheCompletedRequestUnderItsKeyForThirtyDaysAfterItsLastChange() {
        String table = freshTable();
        ChatRequestLedger ledger = new DynamoDbChatRequestLedger(dynamo, table);
        ledger.claim("command#T1#trigger-ttl", "inv-1", T0, LEASE);

        ledger.complete("command#T1#trigger-ttl", "inv-1", "deploying payments-api 1.4.0 to staging", T0.plusSeconds(3));

        Map<String, AttributeValue> item = rawItem(table, "CHAT_REQUEST#command#T1#trigger-ttl");
        assertThat(item.get("requestKey").s()).isEqualTo("command#T1#trigger-ttl");
        assertThat(item.get("status").s()).isEqualTo("COMPLETED");
        assertThat(item.get("owner").s()).isEqualTo("inv-1");
        assertThat(item.get("outcome").s()).isEqualTo("deploying payments-api 1.4.0 to staging");
        assertThat(item.get("completedAt").s()).isEqualTo("2026-11-23T10:00:03Z");
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0.plusSeconds(3).plus(Duration.ofDays(30)).getEpochSecond()));
        assertThat(item).doesNotContainKey("leaseUntil");
    }

    @Test
    void holdsTheLeaseToTheNanosecondItEnds() {
        ChatRequestLedger ledger = ledger();
        Instant leaseEnd = T0.plusNanos(1).plus(LEASE);
        ledger.claim("click#pa_ns#U1", "inv-1", T0.plusNanos(1), LEASE);

        Claim atTheEnd = ledger.claim("click#pa_ns#U1", "inv-2", leaseEnd, LEASE);
        Claim justAfter = ledger.claim("click#pa_ns#U1", "inv-3", leaseEnd.plusNanos(1), LEASE);

        assertThat(atTheEnd).isEqualTo(new Claim.InProgress(leaseEnd));
        assertThat(justAfter).isInstanceOf(Claim.Granted.class);
    }

    @Test
    void deletesAnAbandonedClaimButNeverACompletedOne() {
        String table = freshTable();
        ChatRequestLedger ledger = new DynamoDbChatRequestLedger(dynamo, table);
        ledger.claim("click#pa_gone#U1", "inv-1", T0, LEASE);
        ledger.claim("click#pa_kept#U1", "inv-1", T0, LEASE);
        ledger.complete("click#pa_kept#U1", "inv-1", "approved by U1", T0.plusSeconds(1));

        ledger.abandon("click#pa_gone#U1", "inv-1", T0.plusSeconds(2));
        ledger.abandon("click#pa_kept#U1", "inv-1", T0.plusSeconds(2));

        assertThat(rawItem(table, "CHAT_REQUEST#click#pa_gone#U1")).isEmpty();
        assertThat(rawItem(table, "CHAT_REQUEST#click#pa_kept#U1").get("status").s()).isEqualTo("COMPLETED");
    }

    @Test
    void readsTheWinnerWhenTheRefusedClaimCameBackWithoutIt() {
        String table = freshTable();
        new DynamoDbChatRequestLedger(dynamo, table).claim("command#T1#trigger-read", "inv-1", T0, LEASE);
        ChatRequestLedger ledger = new DynamoDbChatRequestLedger(refusingWithoutTheItem(), table);

        Claim second = ledger.claim("command#T1#trigger-read", "inv-2", T0.plusSeconds(1), LEASE);

        assertThat(second).isEqualTo(new Claim.InProgress(T0.plus(LEASE)));
    }

    @Test
    void reportsAnUnreachableTableAsALedgerFailureNamingTheRequest() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            ChatRequestLedger ledger = new DynamoDbChatRequestLedger(unreachable, "gantry-state");

            assertThatThrownBy(() -> ledger.claim("command#T1#trigger-x", "inv-1", T0, LEASE))
                    .isInstanceOf(ChatRequestLedgerException.class)
                    .hasMessageStartingWith("claiming chat request command#T1#trigger-x in table gantry-state failed: ");
            assertThatThrownBy(() -> ledger.complete("command#T1#trigger-x", "inv-1", "done", T0))
                    .isInstanceOf(ChatRequestLedgerException.class)
                    .hasMessageStartingWith("completing chat request command#T1#trigger-x in table gantry-state failed: ");
            assertThatThrownBy(() -> ledger.abandon("command#T1#trigger-x", "inv-1", T0))
                    .isInstanceOf(ChatRequestLedgerException.class)
                    .hasMessageStartingWith("giving up chat request command#T1#trigger-x in table gantry-state failed: ");
        }
    }

    /** DynamoDB Local, except that a refused put does not return the item that refused it. */
    private static DynamoDbClient refusingWithoutTheItem() {
        return new DynamoDbClient() {
            @Override
            public PutItemResponse putItem(PutItemRequest request) {
                try {
                    return dynamo.putItem(request);
                } catch (ConditionalCheckFailedException e) {
                    throw ConditionalCheckFailedException.builder().message(e.getMessage()).build();
                }
            }

            @Override
            public GetItemResponse getItem(GetItemRequest request) {
                return dynamo.getItem(request);
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {}
        };
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS("CHAT_REQUEST")))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
