package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.notify.ReleaseThread;
import dev.gantry.core.notify.ReleaseThreads;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.testing.ReleaseThreadsContract;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The release-thread contract against DynamoDB Local, whose conditional writes behave as DynamoDB's, and the item
 * layout an operator reads in the console.
 */
class DynamoDbReleaseThreadsIT extends ReleaseThreadsContract {

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected ReleaseThreads threads() {
        return new DynamoDbReleaseThreads(dynamo, freshTable());
    }

    @Test
    void storesAThreadUnderItsServiceAndDigestWithWhatSlackSawReadableInTheConsole() {
        String table = freshTable();
        StoredThread thread = everyFieldSet(releaseKey("layout"));

        new DynamoDbReleaseThreads(dynamo, table).save(thread, 0);

        Map<String, AttributeValue> item = rawItem(table, "THREAD#RELEASE#payments-api", thread.key().id());
        assertThat(item.get("kind").s()).isEqualTo("RELEASE");
        assertThat(item.get("name").s()).isEqualTo("payments-api");
        assertThat(item.get("threadId").s()).isEqualTo(thread.key().id());
        assertThat(item.get("channel").s()).isEqualTo("C0PAYMENTS");
        assertThat(item.get("headlineTs").s()).isEqualTo("1795428000.000100");
        assertThat(item.get("postingMarker").s()).isEqualTo("invocation-6");
        assertThat(item.get("postingAt").s()).isEqualTo("2026-11-23T09:59:59.123456789Z");
        assertThat(item.get("shownRevision").n()).isEqualTo("3");
        assertThat(item.get("rejected").s()).isEqualTo("message_not_found");
        assertThat(item.get("leaseOwner").s()).isEqualTo("invocation-7");
        assertThat(item.get("leaseUntil").s()).isEqualTo("2026-11-23T10:01:00.123456789Z");
        assertThat(item.get("version").n()).isEqualTo("1");
        assertThat(item.get("status").s()).isEqualTo("ROLLED_BACK");
        assertThat(item.get("state").s()).contains("\"environments\":[").contains("\"phase\":\"ROLLED_BACK\"")
                .contains("\"at\":\"2026-11-23T10:00:00.123456790Z\"")
                // Only the story's own fields: what it renders (headline, status) is worked out again on read.
                .doesNotContain("\"headline\"").doesNotContain("\"status\"").doesNotContain("\"newReplies\"");
    }

    @Test
    void letsDynamoDbForgetAThreadNinetyDaysAfterItsLastChange() {
        String table = freshTable();
        StoredThread thread = fresh(releaseKey("ttl"));

        new DynamoDbReleaseThreads(dynamo, table).save(thread, 0);

        Map<String, AttributeValue> item = rawItem(table, "THREAD#RELEASE#payments-api", thread.key().id());
        assertThat(item.get("expiresAt").n()).isEqualTo(Long.toString(T0.plus(Duration.ofDays(90)).getEpochSecond()));
        assertThat(item).doesNotContainKeys("headlineTs", "postingMarker", "postingAt", "rejected", "leaseOwner", "leaseUntil");
        assertThat(item.get("state").s()).doesNotContain("null");
    }

    @Test
    void keepsRebuildAndPipelineThreadsInPartitionsOfTheirOwn() {
        String table = freshTable();
        ReleaseThreads threads = new DynamoDbReleaseThreads(dynamo, table);
        StoredThread rebuild = rebuildThread();
        StoredThread pipeline = fresh(ThreadKey.pipeline("payments-release", "0a1b2c3d-4e5f"));

        threads.save(rebuild, 0);
        threads.save(pipeline, 0);

        assertThat(rawItem(table, "THREAD#REBUILD#golden/java21", rebuild.key().id())).containsKey("state");
        assertThat(rawItem(table, "THREAD#PIPELINE#payments-release", "0a1b2c3d-4e5f")).containsKey("state");
    }

    @Test
    void readsAStoryWithFieldsThisVersionDoesNotKnow() {
        String table = freshTable();
        ReleaseThreads threads = new DynamoDbReleaseThreads(dynamo, table);
        StoredThread thread = everyFieldSet(releaseKey("newer"));
        threads.save(thread, 0);
        Map<String, AttributeValue> item = new HashMap<>(rawItem(table, "THREAD#RELEASE#payments-api", thread.key().id()));
        item.put("state", AttributeValue.fromS(item.get("state").s().replaceFirst("\\{", "{\"addedLater\":{\"x\":1},")));
        dynamo.putItem(r -> r.tableName(table).item(item));

        StoredThread read = threads.find(thread.key()).orElseThrow();

        assertThat(read).isEqualTo(thread);
    }

    @Test
    void readsARebuildStorySavedBeforeItCountedTheImagesNotRebuilt() {
        String table = freshTable();
        ReleaseThreads threads = new DynamoDbReleaseThreads(dynamo, table);
        StoredThread thread = rebuildThread();
        threads.save(thread, 0);
        Map<String, AttributeValue> item = new HashMap<>(rawItem(table, "THREAD#REBUILD#golden/java21", thread.key().id()));
        String older = item.get("state").s().replaceAll(",\"notRebuiltBelow\":\\d+", "").replaceAll(",\"notRebuiltBecause\":\"[^\"]*\"", "");
        assertThat(older).doesNotContain("notRebuilt");
        item.put("state", AttributeValue.fromS(older));
        dynamo.putItem(r -> r.tableName(table).item(item));

        StoredThread read = threads.find(thread.key()).orElseThrow();

        assertThat(read.state().rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status)
                .containsExactly("STARTED", "PENDING", "SUPERSEDED");
        assertThat(read.state().rebuilds().notRebuilt()).isEmpty();
    }

    @Test
    void reportsAStoryItCannotReadAsAStoreFailureNamingTheThread() {
        String table = freshTable();
        ReleaseThreads threads = new DynamoDbReleaseThreads(dynamo, table);
        StoredThread thread = fresh(releaseKey("garbled"));
        threads.save(thread, 0);
        Map<String, AttributeValue> item = new HashMap<>(rawItem(table, "THREAD#RELEASE#payments-api", thread.key().id()));
        item.put("state", AttributeValue.fromS("{\"key\":"));
        dynamo.putItem(r -> r.tableName(table).item(item));

        assertThatThrownBy(() -> threads.find(thread.key()))
                .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class)
                .hasMessageContaining("thread " + thread.key().describe())
                .hasMessageContaining(table);
    }

    @Test
    void reportsAnUnreachableTableAsAStoreFailureNamingTheThread() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            ReleaseThreads threads = new DynamoDbReleaseThreads(unreachable, "gantry-state");
            StoredThread thread = fresh(releaseKey("x"));

            assertThatThrownBy(() -> threads.save(thread, 0))
                    .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class)
                    .hasMessageContaining("saving thread " + thread.key().describe() + " (version 1)")
                    .hasMessageContaining("gantry-state");
            assertThatThrownBy(() -> threads.find(thread.key()))
                    .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class)
                    .hasMessageContaining("reading thread " + thread.key().describe());
        }
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk, String sk) {
        return dynamo.getItem(r -> r.tableName(table).key(Map.of(
                StateTable.PARTITION_KEY, AttributeValue.fromS(pk),
                StateTable.SORT_KEY, AttributeValue.fromS(sk)))).item();
    }
}
