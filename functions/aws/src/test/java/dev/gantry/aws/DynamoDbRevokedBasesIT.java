package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.rebuild.RevokedBases;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import dev.gantry.core.rebuild.RevokedBases.RevokedBasesException;
import dev.gantry.testing.RevokedBasesContract;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The revoked-bases contract against DynamoDB Local, whose transactions and conditions behave as DynamoDB's, and the
 * item layout decision 12 promises.
 */
class DynamoDbRevokedBasesIT extends RevokedBasesContract {

    /** One item a page, so that the contract's lists cross page boundaries as a long list would. */
    private static final int PAGE_SIZE = 1;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected RevokedBases revokedBases() {
        return new DynamoDbRevokedBases(dynamo, freshTable(), PAGE_SIZE);
    }

    @Test
    void storesARevocationUnderItsRepositoryAndListsItByTime() {
        String table = freshTable();
        RevokedBases revokedBases = new DynamoDbRevokedBases(dynamo, table);
        RevokedBase revoked = new RevokedBase(GOLDEN, BASE, "U012ALICE", "CVE-2026-1234", Instant.parse("2026-11-23T10:00:00.5Z"));

        revokedBases.revoke(revoked);

        Map<String, AttributeValue> record = rawItem(table, "REVOKED#" + GOLDEN, BASE.value());
        assertThat(record.get("repository").s()).isEqualTo(GOLDEN);
        assertThat(record.get("digest").s()).isEqualTo(BASE.value());
        assertThat(record.get("revokedBy").s()).isEqualTo("U012ALICE");
        assertThat(record.get("reason").s()).isEqualTo("CVE-2026-1234");
        assertThat(record.get("revokedAt").s()).isEqualTo("2026-11-23T10:00:00.500Z");
        Map<String, AttributeValue> listed = rawItem(table, "REVOKED_BASES", "2026-11-23T10:00:00.500000000Z#" + GOLDEN + "#" + BASE.value());
        assertThat(listed.get("revokedBy").s()).isEqualTo("U012ALICE");
        assertThat(listed.get("revokedAt").s()).isEqualTo("2026-11-23T10:00:00.500Z");
    }

    @Test
    void writesNoSecondListEntryForARevocationRefused() {
        String table = freshTable();
        RevokedBases revokedBases = new DynamoDbRevokedBases(dynamo, table);
        revokedBases.revoke(revocation(GOLDEN, BASE, T0));

        revokedBases.revoke(revocation(GOLDEN, BASE, T0.plusSeconds(1)));

        assertThat(rawItem(table, "REVOKED_BASES", "2026-11-23T10:00:01.000000000Z#" + GOLDEN + "#" + BASE.value())).isEmpty();
        assertThat(rawItem(table, "REVOKED_BASES", "2026-11-23T10:00:00.000000000Z#" + GOLDEN + "#" + BASE.value())).isNotEmpty();
    }

    @Test
    void retriesARevocationThatCollidedWithAnotherInFlight() {
        String table = freshTable();
        AtomicInteger attempts = new AtomicInteger();
        RevokedBases revokedBases = new DynamoDbRevokedBases(cancellingFirst(2, attempts), table);

        boolean revoked = revokedBases.revoke(revocation(GOLDEN, BASE, T0));

        assertThat(revoked).isTrue();
        assertThat(attempts).hasValue(3);
        assertThat(new DynamoDbRevokedBases(dynamo, table).isRevoked(GOLDEN, BASE)).isTrue();
    }

    @Test
    void givesUpOnARevocationThatKeepsCollidingAndWritesNothing() {
        String table = freshTable();
        AtomicInteger attempts = new AtomicInteger();
        RevokedBases revokedBases = new DynamoDbRevokedBases(cancellingFirst(Integer.MAX_VALUE, attempts), table);

        assertThatThrownBy(() -> revokedBases.revoke(revocation(GOLDEN, BASE, T0)))
                .isInstanceOf(RevokedBasesException.class)
                .hasMessageContaining("revoking " + GOLDEN + "@" + BASE.value() + " in table " + table)
                .hasMessageContaining("TransactionConflict");
        assertThat(attempts).hasValue(5);
        assertThat(new DynamoDbRevokedBases(dynamo, table).list()).isEmpty();
    }

    @Test
    void reportsAnUnreachableTableAsARevokedBasesFailureNamingTheDigest() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            RevokedBases revokedBases = new DynamoDbRevokedBases(unreachable, "gantry-state");

            assertThatThrownBy(() -> revokedBases.revoke(revocation(GOLDEN, BASE, T0)))
                    .isInstanceOf(RevokedBasesException.class)
                    .hasMessageStartingWith("revoking " + GOLDEN + "@" + BASE.value() + " in table gantry-state failed: ");
            assertThatThrownBy(() -> revokedBases.isRevoked(GOLDEN, BASE))
                    .isInstanceOf(RevokedBasesException.class)
                    .hasMessageStartingWith("reading the revocation of " + GOLDEN + "@" + BASE.value() + " from table gantry-state failed: ");
            assertThatThrownBy(revokedBases::list)
                    .isInstanceOf(RevokedBasesException.class)
                    .hasMessageStartingWith("listing the revoked base digests from table gantry-state failed: ");
        }
    }

    /** DynamoDB Local, except that the first {@code cancelled} transactions collide with one in flight. */
    private static DynamoDbClient cancellingFirst(int cancelled, AtomicInteger attempts) {
        return new DynamoDbClient() {
            @Override
            public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
                if (attempts.incrementAndGet() <= cancelled) {
                    throw TransactionCanceledException.builder()
                            .message("Transaction cancelled, please refer cancellation reasons for specific reasons")
                            .cancellationReasons(
                                    CancellationReason.builder().code("TransactionConflict").message("Transaction is ongoing for the item").build(),
                                    CancellationReason.builder().code("None").build())
                            .build();
                }
                return dynamo.transactWriteItems(request);
            }

            @Override
            public String serviceName() {
                return SERVICE_NAME;
            }

            @Override
            public void close() {}
        };
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS(sk)))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
