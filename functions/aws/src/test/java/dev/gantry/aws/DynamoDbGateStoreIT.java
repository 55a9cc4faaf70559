package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.GateStoreContract;
import java.time.Instant;
import java.util.List;
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
 * The gate-store contract against DynamoDB Local, whose transactions and conditions behave as DynamoDB's,
 * and the item layout decision 10 promises an auditor reading the table.
 */
class DynamoDbGateStoreIT extends GateStoreContract {

    /** Small pages, so that the contract's sweeps cross page boundaries as a large table's would. */
    private static final int DUE_PAGE_SIZE = 7;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Override
    protected GateStore store() {
        return new DynamoDbGateStore(dynamo, freshTable(), DUE_PAGE_SIZE);
    }

    @Test
    void storesTheRecordAsDecisionTenLaysItOut() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord record = everyFieldSet(key("layout"));

        store.create(record);

        Map<String, AttributeValue> item = rawItem(table, "GATE#payments-api#staging", record.key().digest().value());
        assertThat(item.get("status").s()).isEqualTo("WAITING");
        assertThat(item.get("version").n()).isEqualTo("7");
        assertThat(item.get("dueAt").s()).isEqualTo("2026-11-23T10:01:30.123456796Z");
        assertThat(item.get("triggeredBy").l()).extracting(AttributeValue::s).contains("ana@example.com");
        Map<String, AttributeValue> breakGlass = item.get("decisions").l().get(3).m();
        assertThat(breakGlass.get("decision").s()).isEqualTo("BREAK_GLASS");
        assertThat(breakGlass.get("userId").s()).isEqualTo("U056CAROL");
        assertThat(breakGlass.get("comment").s()).startsWith("incident INC-4411");
        assertThat(item.get("decisions").l().get(1).m()).doesNotContainKey("comment");
        Map<String, AttributeValue> firstCheck = item.get("evaluations").l().get(0).m().get("checks").l().get(0).m();
        assertThat(firstCheck.get("check").s()).isEqualTo("alarms");
        assertThat(firstCheck.get("evidence").l()).extracting(AttributeValue::s).containsExactly("payments-api-5xx: OK",
                "payments-api-latency: OK");
        assertThat(item.get("evaluations").l().get(0).m().get("times").n()).isEqualTo("3");
        assertThat(item.get("state").m().get("waitingSince").s()).isEqualTo("2026-11-23T10:00:00.123456790Z");
        assertThat(item.get("pipelineExecution").s()).isEqualTo("3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f");
    }

    @Test
    void readsARecordStoredBeforeItsRoundKeptThePipelineExecution() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord record = everyFieldSet(key("older-item"));
        store.create(record);
        dynamo.updateItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS("GATE#payments-api#staging"),
                        StateTable.SORT_KEY, AttributeValue.fromS(record.key().digest().value())))
                .updateExpression("REMOVE pipelineExecution, arrival"));

        GateRecord read = store.find(record.key()).orElseThrow();

        assertThat(read.pipelineExecution()).isNull();
        assertThat(read.arrival()).isNull();
        assertThat(read).usingRecursiveComparison().ignoringFields("pipelineExecution", "arrival").isEqualTo(record);
    }

    @Test
    void keepsWhoTriggeredTheRoundEachExecutionPassCameFrom() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord record = everyFieldSet(key("pass-triggers"));

        store.create(record);

        List<AttributeValue> passes = rawItem(table, "GATE#payments-api#staging", record.key().digest().value()).get("executionPasses").l();
        assertThat(passes.get(0).m().get("triggeredBy").l()).extracting(AttributeValue::s).containsExactly("U056CAROL", "carol@example.com");
        assertThat(passes.get(1).m().get("triggeredBy").l()).isEmpty();
        assertThat(store.find(record.key()).orElseThrow().executionPasses()).extracting(GateRecord.ExecutionPass::triggeredBy)
                .containsExactly(List.of("U056CAROL", "carol@example.com"), List.of());
    }

    @Test
    void readsAnExecutionPassStoredBeforeItKeptItsTriggerersAsTriggeredByWhoeverTheRecordNames() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord record = everyFieldSet(key("older-pass"));
        store.create(record);
        dynamo.updateItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS("GATE#payments-api#staging"),
                        StateTable.SORT_KEY, AttributeValue.fromS(record.key().digest().value())))
                .updateExpression("REMOVE executionPasses[0].triggeredBy, executionPasses[1].triggeredBy"));

        GateRecord read = store.find(record.key()).orElseThrow();

        // The stricter reading: no approval of the record's triggerer counts for the pass, as before passes kept their own.
        assertThat(read.executionPasses()).extracting(GateRecord.ExecutionPass::triggeredBy)
                .containsExactly(record.triggeredBy(), record.triggeredBy());
        assertThat(read.executionPasses()).extracting(GateRecord.ExecutionPass::at)
                .containsExactlyElementsOf(record.executionPasses().stream().map(GateRecord.ExecutionPass::at).toList());
    }

    @Test
    void indexesTheDueTimeBesideTheRecordOnlyWhileThereIsOne() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord arrived = arriving(key("indexed"), T0);
        String dueSortKey = "payments-api#staging#" + arrived.key().digest().value();

        store.create(arrived);
        Map<String, AttributeValue> indexed = rawItem(table, "GATES_DUE", dueSortKey);
        GateRecord superseded = arrived.superseded(digest("newer"), T0.plusSeconds(5));
        store.replace(superseded);
        Map<String, AttributeValue> afterClearing = rawItem(table, "GATES_DUE", dueSortKey);

        assertThat(indexed).containsOnlyKeys("pk", "sk", "dueAt");
        assertThat(indexed.get("dueAt").n()).isEqualTo(Long.toString(T0.getEpochSecond()));
        assertThat(afterClearing).isEmpty();
        assertThat(rawItem(table, "GATE#payments-api#staging", arrived.key().digest().value()).get("status").s())
                .isEqualTo(GateStatus.SUPERSEDED.name());
    }

    @Test
    void writesNoIndexEntryForARecordThatIsNotDue() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord record = nothingOptionalSet(key("undue"));

        store.create(record);

        assertThat(rawItem(table, "GATES_DUE", "payments-api#staging#" + record.key().digest().value())).isEmpty();
        assertThat(rawItem(table, "GATE#payments-api#staging", record.key().digest().value())).doesNotContainKeys("dueAt", "tag", "handoff");
    }

    @Test
    void movesTheIndexEntryWithTheDueTime() {
        String table = freshTable();
        GateStore store = new DynamoDbGateStore(dynamo, table);
        GateRecord arrived = arriving(key("moving"), T0);
        store.create(arrived);
        Instant decidedAt = Instant.parse("2026-11-23T10:05:00.25Z");

        store.replace(arrived.withDecision(new Approval("U034BOB", decidedAt, arrived.key().digest(), Approval.Decision.APPROVE, null),
                decidedAt));

        assertThat(rawItem(table, "GATES_DUE", "payments-api#staging#" + arrived.key().digest().value()).get("dueAt").n())
                .isEqualTo(Long.toString(decidedAt.getEpochSecond()) + ".25");
    }

    @Test
    void writesDueTimesAsNumbersThatCompareExactly() {
        assertThat(DynamoDbGateStore.epochSeconds(Instant.parse("2026-11-23T10:00:00Z"))).isEqualTo("1795428000");
        assertThat(DynamoDbGateStore.epochSeconds(Instant.parse("2026-11-23T10:00:00.000000001Z"))).isEqualTo("1795428000.000000001");
        assertThat(DynamoDbGateStore.epochSeconds(Instant.parse("1969-12-31T23:59:59.5Z"))).isEqualTo("-0.5");
    }

    @Test
    void reportsAnUnreachableTableAsAStoreFailureNamingTheRecord() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            GateStore store = new DynamoDbGateStore(unreachable, "gantry-state");
            GateRecord record = arriving(key("x"), T0);
            ReleaseKey key = record.key();

            assertThatThrownBy(() -> store.create(record))
                    .isInstanceOf(GateStore.GateStoreException.class)
                    .hasMessageContaining("creating gate record " + key.id())
                    .hasMessageContaining("gantry-state");
            assertThatThrownBy(() -> store.replace(record))
                    .isInstanceOf(GateStore.GateStoreException.class)
                    .hasMessageContaining("replacing gate record " + key.id());
            assertThatThrownBy(() -> store.find(key))
                    .isInstanceOf(GateStore.GateStoreException.class)
                    .hasMessageContaining("reading gate record " + key.id());
            assertThatThrownBy(() -> store.waiting("payments-api", "staging"))
                    .isInstanceOf(GateStore.GateStoreException.class)
                    .hasMessageContaining("waiting gate records of payments-api/staging");
            assertThatThrownBy(() -> store.due(T0, 10))
                    .isInstanceOf(GateStore.GateStoreException.class)
                    .hasMessageContaining("gate records due at " + T0);
        }
    }

    @Test
    void retriesATransactionThatCollidedWithAnotherInFlight() {
        String table = freshTable();
        AtomicInteger attempts = new AtomicInteger();
        GateStore store = new DynamoDbGateStore(cancellingFirst(1, "TransactionConflict", attempts), table);
        GateRecord record = arriving(key("conflict"), T0);

        boolean created = store.create(record);

        assertThat(created).isTrue();
        assertThat(attempts).hasValue(2);
        assertThat(new DynamoDbGateStore(dynamo, table).find(record.key())).contains(record);
    }

    @Test
    void givesUpOnATransactionThatKeepsColliding() {
        AtomicInteger attempts = new AtomicInteger();
        GateStore store = new DynamoDbGateStore(cancellingFirst(Integer.MAX_VALUE, "TransactionConflict", attempts), freshTable());
        GateRecord record = arriving(key("conflicts"), T0);

        assertThatThrownBy(() -> store.replace(record))
                .isInstanceOf(GateStore.GateStoreException.class)
                .hasMessageContaining("replacing gate record " + record.key().id())
                .hasMessageContaining("TransactionConflict");
        assertThat(attempts).hasValue(5);
    }

    @Test
    void reportsATransactionCancelledForAnotherReasonWithThatReason() {
        AtomicInteger attempts = new AtomicInteger();
        GateStore store = new DynamoDbGateStore(cancellingFirst(Integer.MAX_VALUE, "ValidationError", attempts), freshTable());
        GateRecord record = arriving(key("invalid"), T0);

        assertThatThrownBy(() -> store.create(record))
                .isInstanceOf(GateStore.GateStoreException.class)
                .hasMessageContaining("creating gate record " + record.key().id())
                .hasMessageContaining("ValidationError (Item size has exceeded the maximum allowed size)");
        assertThat(attempts).hasValue(1);
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
                                    CancellationReason.builder().code(code).message(code.equals("ValidationError")
                                            ? "Item size has exceeded the maximum allowed size" : "Transaction is ongoing for the item").build(),
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
