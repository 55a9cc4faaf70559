package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.LineageHistory;
import dev.gantry.core.rebuild.LineageHistory.BaseVersion;
import dev.gantry.core.rebuild.LineageHistory.LineageHistoryException;
import dev.gantry.testing.LineageHistoryContract;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The lineage-history contract against DynamoDB Local, whose transactions and conditions behave as DynamoDB's, and the
 * item layout decision 12 promises.
 */
class DynamoDbLineageHistoryIT extends LineageHistoryContract {

    /** One item a page, so that the contract's lists cross page boundaries as a long history would. */
    private static final int PAGE_SIZE = 1;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected LineageHistory history() {
        return new DynamoDbLineageHistory(dynamo, freshTable(), PAGE_SIZE);
    }

    @Test
    void storesABaseVersionByDigestAndByTime() {
        String table = freshTable();
        LineageHistory history = new DynamoDbLineageHistory(dynamo, table);
        ImageDigest digest = digest("golden-1");

        history.recordBaseVersion(new BaseVersion(BASE_NAME, digest, Instant.parse("2026-11-23T10:00:00.5Z")));

        Map<String, AttributeValue> guard = rawItem(table, "BASE_VERSION#" + BASE_NAME, digest.value());
        Map<String, AttributeValue> entry = rawItem(table, "BASE_HISTORY#" + BASE_NAME, "2026-11-23T10:00:00.500000000Z#" + digest.value());
        assertThat(guard.get("seenAt").s()).isEqualTo("2026-11-23T10:00:00.500Z");
        assertThat(entry.get("baseName").s()).isEqualTo(BASE_NAME);
        assertThat(entry.get("digest").s()).isEqualTo(digest.value());
        assertThat(entry.get("seenAt").s()).isEqualTo("2026-11-23T10:00:00.500Z");
    }

    @Test
    void storesAChildByDigestAndByTime() {
        String table = freshTable();
        LineageHistory history = new DynamoDbLineageHistory(dynamo, table);
        ImageDigest image = digest("runtime-1");

        history.recordChild(child(RUNTIME, image, digest("golden-1"), Instant.parse("2026-11-23T10:00:00.000000001Z")));

        Map<String, AttributeValue> guard = rawItem(table, "CHILD#" + RUNTIME, image.value());
        Map<String, AttributeValue> entry = rawItem(table, "CHILDREN#" + RUNTIME, "2026-11-23T10:00:00.000000001Z#" + image.value());
        assertThat(guard.get("baseDigest").s()).isEqualTo(digest("golden-1").value());
        assertThat(entry.get("repository").s()).isEqualTo(RUNTIME);
        assertThat(entry.get("baseRepository").s()).isEqualTo(GOLDEN);
        assertThat(entry.get("source").s()).isEqualTo("LABELS");
        assertThat(entry.get("recordedAt").s()).isEqualTo("2026-11-23T10:00:00.000000001Z");
    }

    @Test
    void recordsAChildTheRebuildLedgerAlreadyHasInTheSameTable() {
        String table = freshTable();
        LineageHistory history = new DynamoDbLineageHistory(dynamo, table);
        ImageLineage lineage = child(RUNTIME, digest("runtime-1"), digest("golden-1"), T0);
        new DynamoDbRebuildLedger(dynamo, table).recordLineage(lineage);

        history.recordChild(lineage);

        assertThat(history.children(RUNTIME)).containsExactly(lineage);
    }

    @Test
    void reportsAnUnreachableTableAsALineageHistoryFailureNamingTheImage() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            LineageHistory history = new DynamoDbLineageHistory(unreachable, "gantry-state");
            ImageDigest digest = digest("runtime-1");

            assertThatThrownBy(() -> history.recordChild(child(RUNTIME, digest, digest("golden-1"), T0)))
                    .isInstanceOf(LineageHistoryException.class)
                    .hasMessageStartingWith("recording child image " + RUNTIME + "@" + digest.value() + " in table gantry-state failed: ");
            assertThatThrownBy(() -> history.recordBaseVersion(new BaseVersion(BASE_NAME, digest, T0)))
                    .isInstanceOf(LineageHistoryException.class)
                    .hasMessageStartingWith("recording version " + digest.value() + " of base " + BASE_NAME + " in table gantry-state failed: ");
            assertThatThrownBy(() -> history.children(RUNTIME))
                    .isInstanceOf(LineageHistoryException.class)
                    .hasMessageStartingWith("reading the child images of " + RUNTIME + " from table gantry-state failed: ");
            assertThatThrownBy(() -> history.baseVersions(BASE_NAME))
                    .isInstanceOf(LineageHistoryException.class)
                    .hasMessageStartingWith("reading the versions of base " + BASE_NAME + " from table gantry-state failed: ");
        }
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS(sk)))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
