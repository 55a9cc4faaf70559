package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildLedger.RebuildLedgerException;
import dev.gantry.core.rebuild.RebuildLedger.SlotResult;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import dev.gantry.testing.RebuildLedgerContract;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsResponse;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The rebuild-ledger contract against DynamoDB Local, whose transactions and conditions behave as DynamoDB's, and
 * the item layout decision 12 promises.
 */
class DynamoDbRebuildLedgerIT extends RebuildLedgerContract {

    /** Small pages, so that the contract's queue reads cross page boundaries as a long queue's would. */
    private static final int PENDING_PAGE_SIZE = 1;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected RebuildLedger ledger() {
        return new DynamoDbRebuildLedger(dynamo, freshTable(), PENDING_PAGE_SIZE);
    }

    @Test
    void storesARebuildUnderItsBaseDigestAndQueuesItWhilePending() {
        String table = freshTable();
        RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, table);
        Instant created = Instant.parse("2026-11-23T10:00:00.5Z");
        Rebuild rebuild = pending("runtime-java", RUN, created);

        ledger.enqueue(rebuild);

        Map<String, AttributeValue> item = rawItem(table, "REBUILD#" + BASE.value(), "new-base#runtime-java");
        assertThat(item.get("status").s()).isEqualTo("PENDING");
        assertThat(item.get("version").n()).isEqualTo("0");
        assertThat(item.get("createdAt").s()).isEqualTo("2026-11-23T10:00:00.500Z");
        assertThat(item.get("target").m().get("kind").s()).isEqualTo("CODEBUILD");
        assertThat(item.get("target").m().get("name").s()).isEqualTo("runtime-java-image");
        assertThat(item.get("root").m().get("baseRepository").s()).isEqualTo(GOLDEN);
        assertThat(item).doesNotContainKeys("buildId", "leaseUntil", "reason");
        Map<String, AttributeValue> queued = rawItem(table, "REBUILDS_PENDING",
                "2026-11-23T10:00:00.500000000Z#" + BASE.value() + "#new-base#runtime-java");
        assertThat(queued.get("recordPk").s()).isEqualTo("REBUILD#" + BASE.value());
        assertThat(queued.get("recordSk").s()).isEqualTo("new-base#runtime-java");
    }

    @Test
    void keepsEachDependentsNewestRebuildInOneItemThatAnOlderPlanDoesNotMoveBack() {
        String table = freshTable();
        RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, table);
        ImageDigest newer = digest("golden-2");
        Rebuild newest = pending("runtime-java", new RunKey(GOLDEN, newer, "manual@req-1"), Instant.parse("2026-11-23T10:00:00.5Z"));
        ledger.enqueue(newest);

        boolean older = ledger.enqueue(pending("runtime-java", RUN, Instant.parse("2026-11-23T10:00:00.4Z")));

        Map<String, AttributeValue> item = rawItem(table, "REBUILD_NEWEST", "runtime-java");
        assertThat(older).isTrue();
        assertThat(item.get("planned").s()).isEqualTo("2026-11-23T10:00:00.500000000Z#" + newer.value() + "#manual@req-1");
        assertThat(item.get("baseDigest").s()).isEqualTo(newer.value());
        assertThat(item.get("occasion").s()).isEqualTo("manual@req-1");
        assertThat(rawItem(table, "REBUILD#" + BASE.value(), "new-base#runtime-java").get("status").s()).isEqualTo("PENDING");
    }

    @Test
    void namesTheSlotHoldersInOnePoolItemAndTakesTheRebuildOffTheQueue() {
        String table = freshTable();
        RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, table);
        Rebuild a = pending("a");
        ledger.enqueue(a);
        Rebuild starting = a.starting(T0.plusSeconds(90), T0);

        ledger.takeSlot(starting, 5);
        Map<String, AttributeValue> held = rawItem(table, "REBUILD_SLOTS", "REBUILD_SLOTS");
        Map<String, AttributeValue> queuedWhileHeld = rawItem(table, "REBUILDS_PENDING",
                "2026-11-23T10:00:00.000000000Z#" + BASE.value() + "#new-base#a");
        ledger.releaseSlot(starting.settled(RebuildStatus.PENDING, "deferred", T0.plusSeconds(1)));
        Map<String, AttributeValue> released = rawItem(table, "REBUILD_SLOTS", "REBUILD_SLOTS");

        assertThat(held.get("holders").ss()).containsExactly(BASE.value() + "#new-base#a");
        assertThat(queuedWhileHeld).isEmpty();
        assertThat(released).doesNotContainKey("holders");
        assertThat(rawItem(table, "REBUILDS_PENDING", "2026-11-23T10:00:00.000000000Z#" + BASE.value() + "#new-base#a"))
                .containsKey("recordSk");
    }

    @Test
    void pointsAStartedBuildAtItsRebuildAndForgetsItWhenTheRebuildStartsAgain() {
        String table = freshTable();
        RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, table);
        Rebuild a = pending("a");
        ledger.enqueue(a);
        Rebuild starting = a.starting(T0.plusSeconds(90), T0);
        ledger.takeSlot(starting, 5);
        Rebuild started = starting.started("a-image:1", T0);
        ledger.replace(started);
        Rebuild failed = started.settled(RebuildStatus.FAILED, "the build failed", T0.plusSeconds(60));
        ledger.releaseSlot(failed);
        Map<String, AttributeValue> pointer = rawItem(table, "REBUILD_BUILDS", "a-image:1");

        Rebuild retried = failed.starting(T0.plusSeconds(150), T0.plusSeconds(60));
        ledger.takeSlot(retried, 5);

        assertThat(pointer.get("recordPk").s()).isEqualTo("REBUILD#" + BASE.value());
        assertThat(pointer.get("recordSk").s()).isEqualTo("new-base#a");
        assertThat(ledger.findByBuildId("a-image:1")).isEmpty();
        assertThat(ledger.findByBuildId("unknown:1")).isEmpty();
    }

    @Test
    void keepsRunsOfTheSameDigestInAnotherRepositoryApart() {
        RebuildLedger ledger = ledger();
        RunKey mirror = new RunKey("mirror/java21", BASE, RebuildKey.ON_NEW_BASE);
        Rebuild ours = pending("ours", RUN, T0);
        Rebuild theirs = pending("theirs", mirror, T0);
        Rebuild otherOccasion = pending("ours", new RunKey(GOLDEN, BASE, RebuildKey.ON_NEW_BASE + "#again"), T0);
        List.of(ours, theirs, otherOccasion).forEach(ledger::enqueue);

        assertThat(ledger.run(RUN)).containsExactly(ours);
        assertThat(ledger.pending(mirror, 10)).containsExactly(theirs);
        assertThat(ledger.find("ours", BASE)).containsExactly(ours, otherOccasion);
    }

    @Test
    void readsThePendingQueuePastTiesAtTheLimit() {
        RebuildLedger ledger = ledger();
        Rebuild first = pending("first", RUN, T0);
        Rebuild tiedLater = pending("zeta", RUN, T0.plusSeconds(1));
        Rebuild tiedEarlier = pending("alpha", RUN, T0.plusSeconds(1));
        Rebuild last = pending("beta", RUN, T0.plusSeconds(2));
        List.of(first, tiedLater, last, tiedEarlier).forEach(ledger::enqueue);

        assertThat(ledger.pending(2)).containsExactly(first, tiedEarlier);
        assertThat(ledger.pending(3)).containsExactly(first, tiedEarlier, tiedLater);
    }

    @Test
    void storesLineageByChildAndByBase() {
        String table = freshTable();
        RebuildLedger ledger = new DynamoDbRebuildLedger(dynamo, table);
        ImageDigest child = digest("runtime-1");
        ImageLineage lineage = new ImageLineage("runtime/java", child, GOLDEN, BASE, ImageLineage.Source.LABELS,
                Instant.parse("2026-11-23T10:00:00.000000001Z"));

        ledger.recordLineage(lineage);

        Map<String, AttributeValue> byChild = rawItem(table, "LINEAGE#runtime/java", child.value());
        Map<String, AttributeValue> byBase = rawItem(table, "BUILT_ON#" + GOLDEN + "#" + BASE.value(), "runtime/java#" + child.value());
        assertThat(byChild.get("baseDigest").s()).isEqualTo(BASE.value());
        assertThat(byChild.get("recordedAt").s()).isEqualTo("2026-11-23T10:00:00.000000001Z");
        assertThat(byBase.get("digest").s()).isEqualTo(child.value());
        assertThat(ledger.lineage("runtime/java", child)).contains(lineage);
    }

    @Test
    void reportsAnUnreachableTableAsALedgerFailureNamingTheRebuild() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            RebuildLedger ledger = new DynamoDbRebuildLedger(unreachable, "gantry-state");
            Rebuild rebuild = pending("runtime-java");

            assertThatThrownBy(() -> ledger.enqueue(rebuild))
                    .isInstanceOf(RebuildLedgerException.class)
                    .hasMessageContaining("enqueueing rebuild runtime-java on " + BASE.value() + " (new-base)")
                    .hasMessageContaining("gantry-state");
            assertThatThrownBy(() -> ledger.takeSlot(rebuild.starting(T0, T0), 5))
                    .isInstanceOf(RebuildLedgerException.class)
                    .hasMessageContaining("taking a slot for rebuild runtime-java");
            assertThatThrownBy(() -> ledger.find(rebuild.key()))
                    .isInstanceOf(RebuildLedgerException.class)
                    .hasMessageContaining("reading rebuild runtime-java");
            assertThatThrownBy(() -> ledger.pending(3))
                    .isInstanceOf(RebuildLedgerException.class)
                    .hasMessageContaining("oldest 3 pending rebuilds from table gantry-state");
            assertThatThrownBy(ledger::inFlightCount)
                    .isInstanceOf(RebuildLedgerException.class)
                    .hasMessageContaining("build slots from table gantry-state");
        }
    }

    @Test
    void retriesASlotMoveThatCollidedWithAnotherInFlight() {
        String table = freshTable();
        AtomicInteger attempts = new AtomicInteger();
        RebuildLedger ledger = new DynamoDbRebuildLedger(cancellingFirst(2, "TransactionConflict", attempts), table);
        Rebuild a = pending("a");
        new DynamoDbRebuildLedger(dynamo, table).enqueue(a);

        SlotResult result = ledger.takeSlot(a.starting(T0.plusSeconds(90), T0), 5);

        assertThat(result).isEqualTo(SlotResult.TAKEN);
        assertThat(attempts).hasValue(3);
        assertThat(ledger.inFlightCount()).isEqualTo(1);
    }

    @Test
    void givesUpOnATransactionThatKeepsCollidingAndWritesNothing() {
        String table = freshTable();
        AtomicInteger attempts = new AtomicInteger();
        RebuildLedger ledger = new DynamoDbRebuildLedger(cancellingFirst(Integer.MAX_VALUE, "TransactionConflict", attempts), table);
        Rebuild a = pending("a");

        assertThatThrownBy(() -> ledger.enqueue(a))
                .isInstanceOf(RebuildLedgerException.class)
                .hasMessageContaining("enqueueing rebuild a on " + BASE.value())
                .hasMessageContaining("TransactionConflict");
        assertThat(attempts).hasValue(10);
        assertThat(ledger.find(a.key())).isEmpty();
    }

    /** DynamoDB Local, except that the first {@code cancelled} transactions are cancelled for {@code code}. */
    private static DynamoDbClient cancellingFirst(int cancelled, String code, AtomicInteger attempts) {
        return new DynamoDbClient() {
            @Override
            public TransactWriteItemsResponse transactWriteItems(TransactWriteItemsRequest request) {
                if (attempts.incrementAndGet() <= cancelled) {
                    throw TransactionCanceledException.builder()
                            .message("Transaction cancelled, please refer cancellation reasons for specific reasons")
                            .cancellationReasons(
                                    CancellationReason.builder().code(code).message("Transaction is ongoing for the item").build(),
                                    CancellationReason.builder().code("None").build())
                            .build();
                }
                return dynamo.transactWriteItems(request);
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

    private static Map<String, AttributeValue> rawItem(String table, String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS(sk)))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
