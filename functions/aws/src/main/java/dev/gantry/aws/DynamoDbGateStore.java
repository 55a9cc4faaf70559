package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;
import static dev.gantry.aws.DynamoDbItems.textList;

import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateEvaluation.CheckSummary;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateState;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Gate records in Gantry's DynamoDB table (decision 10).
 *
 * <ul>
 *   <li>The record: {@code pk = GATE#<service>#<environment>}, {@code sk = <digest>}, so a service
 *       environment's gates are one Query. Decisions and evaluations are DynamoDB lists of maps, readable in
 *       the console; instants are ISO-8601 text; {@code version} is a number.</li>
 *   <li>The due index: while a record has a {@code dueAt}, an item {@code pk = GATES_DUE},
 *       {@code sk = <service>#<environment>#<digest>} holds it as a number (epoch seconds with a nanosecond
 *       fraction, so it compares exactly). It is put or deleted in the same transaction as the record, so the
 *       two never disagree, and the sweep reads one partition.</li>
 * </ul>
 *
 * <p>Create is conditional on {@code attribute_not_exists(pk)}, replace on {@code version = :expected}; a
 * failed condition is {@code false}, any other failure a {@link GateStoreException} naming the record and
 * the table.
 */
public final class DynamoDbGateStore implements GateStore {

    static final String RECORD_PREFIX = "GATE#";
    static final String DUE_PARTITION = "GATES_DUE";

    /** Attempts at a transaction that collided with another one in flight on the same item. */
    private static final int CONFLICT_ATTEMPTS = 5;

    private static final Comparator<GateRecord> DUE_ORDER = Comparator.comparing(GateRecord::dueAt)
            .thenComparing(r -> r.key().service())
            .thenComparing(r -> r.key().environment())
            .thenComparing(r -> r.key().digest().value());

    private final DynamoDbClient dynamo;
    private final String table;
    private final Integer duePageSize;

    public DynamoDbGateStore(DynamoDbClient dynamo, String table) {
        this(dynamo, table, null);
    }

    /** @param duePageSize items per page of the due-index query; null for DynamoDB's own 1 MB pages */
    DynamoDbGateStore(DynamoDbClient dynamo, String table, Integer duePageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.duePageSize = duePageSize;
    }

    @Override
    public Optional<GateRecord> find(ReleaseKey key) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(recordKey(key)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(record(item));
        } catch (SdkException e) {
            throw new GateStoreException("reading gate record " + key.id() + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean create(GateRecord record) {
        return write(record, "attribute_not_exists(#pk)", Map.of("#pk", StateTable.PARTITION_KEY), Map.of(), "creating");
    }

    @Override
    public boolean replace(GateRecord updated) {
        return write(updated, "#version = :expected", Map.of("#version", "version"), Map.of(":expected", n(updated.version() - 1)),
                "replacing");
    }

    @Override
    public List<GateRecord> waiting(String service, String environment) {
        try {
            List<GateRecord> waiting = new ArrayList<>();
            dynamo.queryPaginator(r -> r.tableName(table)
                            .keyConditionExpression("#pk = :pk")
                            .filterExpression("#status = :waiting")
                            .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#status", "status"))
                            .expressionAttributeValues(Map.of(
                                    ":pk", s(recordPartition(service, environment)),
                                    ":waiting", s(GateStatus.WAITING.name())))
                            .consistentRead(true))
                    .items()
                    .forEach(item -> waiting.add(record(item)));
            return waiting;
        } catch (SdkException e) {
            throw new GateStoreException("reading the waiting gate records of " + service + "/" + environment + " from table " + table
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<GateRecord> due(Instant now, int limit) {
        Objects.requireNonNull(now, "now");
        if (limit < 1) {
            throw new IllegalArgumentException("a sweep takes at least one record, not " + limit);
        }
        try {
            List<DueEntry> entries = dueEntries(now);
            entries.sort(Comparator.comparing(DueEntry::dueAt).thenComparing(DueEntry::sortKey));
            List<Map<String, AttributeValue>> keys = entries.stream().limit(limit).map(DueEntry::recordKey).toList();
            // A record can move between the index query and this read (a decision, an evaluation): keep only
            // what is still due, as the record itself says.
            return records(keys).stream()
                    .filter(r -> r.dueAt() != null && !r.dueAt().isAfter(now))
                    .sorted(DUE_ORDER)
                    .toList();
        } catch (SdkException e) {
            throw new GateStoreException("reading the gate records due at " + now + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    private boolean write(GateRecord record, String condition, Map<String, String> names, Map<String, AttributeValue> values,
            String what) {
        Put.Builder put = Put.builder().tableName(table).item(item(record)).conditionExpression(condition).expressionAttributeNames(names);
        if (!values.isEmpty()) {
            put.expressionAttributeValues(values);
        }
        TransactWriteItem dueIndex = record.dueAt() == null
                ? TransactWriteItem.builder().delete(d -> d.tableName(table).key(dueKey(record.key()))).build()
                : TransactWriteItem.builder().put(p -> p.tableName(table).item(dueItem(record))).build();
        TransactWriteItem recordWrite = TransactWriteItem.builder().put(put.build()).build();
        String failure = what + " gate record " + record.key().id() + " (version " + record.version() + ") in table " + table;
        return DynamoDbRequests.transact(dynamo, List.of(recordWrite, dueIndex), failure, CONFLICT_ATTEMPTS, GateStoreException::new)
                .committed();
    }

    private List<DueEntry> dueEntries(Instant now) {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :due")
                .filterExpression("#dueAt <= :now")
                .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#dueAt", "dueAt"))
                .expressionAttributeValues(Map.of(":due", s(DUE_PARTITION), ":now", AttributeValue.fromN(epochSeconds(now))))
                .consistentRead(true);
        if (duePageSize != null) {
            query.limit(duePageSize);
        }
        List<DueEntry> entries = new ArrayList<>();
        dynamo.queryPaginator(query.build()).items().forEach(item ->
                entries.add(new DueEntry(text(item, StateTable.SORT_KEY), new BigDecimal(item.get("dueAt").n()))));
        return entries;
    }

    private List<GateRecord> records(List<Map<String, AttributeValue>> keys) {
        return DynamoDbRequests.batchGet(dynamo, table, keys, "reading due gate records", GateStoreException::new).stream()
                .map(DynamoDbGateStore::record).toList();
    }

    /**
     * An index entry, as the sweep reads it.
     *
     * @param sortKey {@code <service>#<environment>#<digest>}
     * @param dueAt the record's due time in epoch seconds
     */
    private record DueEntry(String sortKey, BigDecimal dueAt) {
        /** The record's own key: everything before the digest is its partition, whatever the names hold. */
        Map<String, AttributeValue> recordKey() {
            int digestStart = sortKey.lastIndexOf('#');
            return Map.of(
                    StateTable.PARTITION_KEY, s(RECORD_PREFIX + sortKey.substring(0, digestStart)),
                    StateTable.SORT_KEY, s(sortKey.substring(digestStart + 1)));
        }
    }

    static Map<String, AttributeValue> recordKey(ReleaseKey key) {
        return Map.of(
                StateTable.PARTITION_KEY, s(recordPartition(key.service(), key.environment())),
                StateTable.SORT_KEY, s(key.digest().value()));
    }

    static Map<String, AttributeValue> dueKey(ReleaseKey key) {
        return Map.of(
                StateTable.PARTITION_KEY, s(DUE_PARTITION),
                StateTable.SORT_KEY, s(key.service() + "#" + key.environment() + "#" + key.digest().value()));
    }

    private static String recordPartition(String service, String environment) {
        return RECORD_PREFIX + service + "#" + environment;
    }

    private static Map<String, AttributeValue> dueItem(GateRecord record) {
        Map<String, AttributeValue> item = new HashMap<>(dueKey(record.key()));
        item.put("dueAt", AttributeValue.fromN(epochSeconds(record.dueAt())));
        return item;
    }

    /** Exact to the nanosecond and ordered as numbers, unlike ISO text, whose fraction has no fixed width. */
    static String epochSeconds(Instant instant) {
        return BigDecimal.valueOf(instant.getEpochSecond()).add(BigDecimal.valueOf(instant.getNano(), 9)).stripTrailingZeros().toPlainString();
    }

    private static Map<String, AttributeValue> item(GateRecord record) {
        ReleaseKey key = record.key();
        Map<String, AttributeValue> item = new HashMap<>(recordKey(key));
        item.put("service", s(key.service()));
        item.put("environment", s(key.environment()));
        item.put("digest", s(key.digest().value()));
        item.put("gate", s(record.gate()));
        item.put("origin", s(record.origin().name()));
        item.put("image", s(record.image()));
        putText(item, "arrival", record.arrival());
        putText(item, "pipelineExecution", record.pipelineExecution());
        item.put("executionPasses", AttributeValue.fromL(record.executionPasses().stream().map(DynamoDbGateStore::executionPassItem).toList()));
        putText(item, "tag", record.tag());
        putInstant(item, "pushedAt", record.pushedAt());
        item.put("triggeredBy", textList(record.triggeredBy()));
        item.put("status", s(record.status().name()));
        item.put("reason", s(record.reason()));
        Map<String, AttributeValue> state = new HashMap<>();
        putInstant(state, "passingSince", record.state().passingSince());
        putInstant(state, "waitingSince", record.state().waitingSince());
        item.put("state", AttributeValue.fromM(state));
        putInstant(item, "nextLook", record.nextLook());
        putInstant(item, "lastEvaluatedAt", record.lastEvaluatedAt());
        putInstant(item, "dueAt", record.dueAt());
        item.put("decisions", AttributeValue.fromL(record.decisions().stream().map(DynamoDbGateStore::decisionItem).toList()));
        item.put("evaluations", AttributeValue.fromL(record.evaluations().stream().map(DynamoDbGateStore::evaluationItem).toList()));
        putText(item, "handoff", record.handoff());
        putInstant(item, "createdAt", record.createdAt());
        putInstant(item, "updatedAt", record.updatedAt());
        item.put("version", n(record.version()));
        return item;
    }

    private static AttributeValue decisionItem(Approval approval) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("userId", s(approval.userId()));
        putInstant(map, "at", approval.at());
        map.put("digest", s(approval.digest().value()));
        map.put("decision", s(approval.decision().name()));
        putText(map, "comment", approval.comment());
        return AttributeValue.fromM(map);
    }

    private static AttributeValue executionPassItem(GateRecord.ExecutionPass pass) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("execution", s(pass.execution()));
        putInstant(map, "at", pass.at());
        map.put("triggeredBy", textList(pass.triggeredBy()));
        return AttributeValue.fromM(map);
    }

    private static AttributeValue evaluationItem(GateEvaluation evaluation) {
        Map<String, AttributeValue> map = new HashMap<>();
        putInstant(map, "firstAt", evaluation.firstAt());
        putInstant(map, "lastAt", evaluation.lastAt());
        map.put("times", n(evaluation.times()));
        map.put("outcome", s(evaluation.outcome().name()));
        map.put("reason", s(evaluation.reason()));
        map.put("checks", AttributeValue.fromL(evaluation.checks().stream().map(DynamoDbGateStore::checkItem).toList()));
        return AttributeValue.fromM(map);
    }

    private static AttributeValue checkItem(CheckSummary check) {
        Map<String, AttributeValue> map = new HashMap<>();
        putText(map, "check", check.check());
        putText(map, "verdict", check.verdict());
        putText(map, "reason", check.reason());
        map.put("evidence", textList(check.evidence()));
        return AttributeValue.fromM(map);
    }

    private static GateRecord record(Map<String, AttributeValue> item) {
        ReleaseKey key = new ReleaseKey(text(item, "service"), text(item, "environment"), new ImageDigest(text(item, "digest")));
        Map<String, AttributeValue> state = item.containsKey("state") ? item.get("state").m() : Map.of();
        return new GateRecord(
                key,
                text(item, "gate"),
                GateOrigin.valueOf(text(item, "origin")),
                text(item, "image"),
                text(item, "tag"),
                instant(item, "pushedAt"),
                textList(item, "triggeredBy"),
                GateStatus.valueOf(text(item, "status")),
                text(item, "reason"),
                new GateState(instant(state, "passingSince"), instant(state, "waitingSince")),
                instant(item, "nextLook"),
                instant(item, "lastEvaluatedAt"),
                instant(item, "dueAt"),
                maps(item, "decisions").stream().map(DynamoDbGateStore::decision).toList(),
                maps(item, "evaluations").stream().map(DynamoDbGateStore::evaluation).toList(),
                text(item, "handoff"),
                instant(item, "createdAt"),
                instant(item, "updatedAt"),
                Long.parseLong(item.get("version").n()),
                text(item, "arrival"),
                text(item, "pipelineExecution"),
                maps(item, "executionPasses").stream().map(pass -> executionPass(pass, textList(item, "triggeredBy"))).toList());
    }

    /**
     * @param recordTriggeredBy who the record names as triggering it, for a pass stored before passes kept their own: the
     *     stricter reading, which counts no approval of theirs for the pass, as Gantry did then
     */
    private static GateRecord.ExecutionPass executionPass(Map<String, AttributeValue> map, List<String> recordTriggeredBy) {
        List<String> triggeredBy = map.containsKey("triggeredBy") ? textList(map, "triggeredBy") : recordTriggeredBy;
        return new GateRecord.ExecutionPass(text(map, "execution"), instant(map, "at"), triggeredBy);
    }

    private static Approval decision(Map<String, AttributeValue> map) {
        return new Approval(text(map, "userId"), instant(map, "at"), new ImageDigest(text(map, "digest")),
                Approval.Decision.valueOf(text(map, "decision")), text(map, "comment"));
    }

    private static GateEvaluation evaluation(Map<String, AttributeValue> map) {
        return new GateEvaluation(instant(map, "firstAt"), instant(map, "lastAt"), Integer.parseInt(map.get("times").n()),
                GateVerdict.Outcome.valueOf(text(map, "outcome")), text(map, "reason"),
                maps(map, "checks").stream().map(DynamoDbGateStore::check).toList());
    }

    private static CheckSummary check(Map<String, AttributeValue> map) {
        return new CheckSummary(text(map, "check"), text(map, "verdict"), text(map, "reason"), textList(map, "evidence"));
    }

    private static List<Map<String, AttributeValue>> maps(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? List.of() : value.l().stream().map(AttributeValue::m).toList();
    }
}
