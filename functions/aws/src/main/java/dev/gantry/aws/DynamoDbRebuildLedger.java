package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
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
 * Rebuild records, their build slots and image lineage in Gantry's DynamoDB table (decision 12).
 *
 * <ul>
 *   <li>A rebuild: {@code pk = REBUILD#<base digest>}, {@code sk = <occasion>#<dependent>}, so a run is one
 *       Query on a prefix.</li>
 *   <li>The slot pool: {@code pk = sk = REBUILD_SLOTS}, whose string set {@code holders} names every rebuild
 *       holding a slot; taking one is conditional on its size.</li>
 *   <li>The pending queue: while a rebuild is PENDING, {@code pk = REBUILDS_PENDING},
 *       {@code sk = <created at, fixed width>#<base digest>#<occasion>#<dependent>}.</li>
 *   <li>A started build: {@code pk = REBUILD_BUILDS}, {@code sk = <build id>}, pointing at its rebuild.</li>
 *   <li>Each dependent's newest rebuild: {@code pk = REBUILD_NEWEST}, {@code sk = <dependent>}, whose {@code planned}
 *       ({@code <created at, fixed width>#<base digest>#<occasion>}) only ever grows.</li>
 *   <li>Lineage: {@code pk = LINEAGE#<repository>}, {@code sk = <digest>}, and its copy under
 *       {@code pk = BUILT_ON#<base repository>#<base digest>}, {@code sk = <repository>#<digest>}.</li>
 * </ul>
 *
 * <p>A record and the items beside it change in one {@code TransactWriteItems}, conditional on the version read;
 * a failed condition answers false, any other failure a {@link RebuildLedgerException} naming the rebuild and the
 * table.
 */
public final class DynamoDbRebuildLedger implements RebuildLedger {

    static final String RECORD_PREFIX = "REBUILD#";
    static final String SLOTS = "REBUILD_SLOTS";
    static final String PENDING_PARTITION = "REBUILDS_PENDING";
    static final String BUILDS_PARTITION = "REBUILD_BUILDS";
    static final String NEWEST_PARTITION = "REBUILD_NEWEST";
    static final String PLANNED = "planned";
    static final String LINEAGE_PREFIX = "LINEAGE#";
    static final String BUILT_ON_PREFIX = "BUILT_ON#";
    static final String HOLDERS = "holders";

    /**
     * Attempts at a transaction that collided with another in flight on the same item. Every slot move touches the
     * one pool item, so when a whole wave starts at once most attempts collide: more tries than the gate store's,
     * with jittered pauses so the losers do not meet again.
     */
    private static final int CONFLICT_ATTEMPTS = 10;

    private static final String IN_FLIGHT = "#status IN (:starting, :started)";
    private static final String SAME_VERSION = "#version = :expected";


    /** The in-memory ledger's order: oldest first, ties stable. */
    private static final Comparator<Rebuild> AGE = Comparator.comparing(Rebuild::createdAt)
            .thenComparing(r -> r.key().dependent())
            .thenComparing(r -> r.key().baseDigest().value())
            .thenComparing(r -> r.key().occasion());

    private static final Comparator<ImageLineage> LINEAGE_ORDER = Comparator.comparing(ImageLineage::recordedAt)
            .thenComparing(ImageLineage::repository)
            .thenComparing(l -> l.digest().value());

    private final DynamoDbClient dynamo;
    private final String table;
    private final int pendingPageSize;

    public DynamoDbRebuildLedger(DynamoDbClient dynamo, String table) {
        this(dynamo, table, 0);
    }

    /** @param pendingPageSize items per page of the pending-queue query; 0 to size pages by the limit asked for */
    DynamoDbRebuildLedger(DynamoDbClient dynamo, String table, int pendingPageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.pendingPageSize = pendingPageSize;
    }

    @Override
    public boolean enqueue(Rebuild pending) {
        if (pending.status() != RebuildStatus.PENDING || pending.version() != 0) {
            throw new IllegalArgumentException("a rebuild is enqueued PENDING at version 0, not " + pending.status() + " at "
                    + pending.version());
        }
        Conditions conditions = new Conditions("attribute_not_exists(#pk)").name("#pk", StateTable.PARTITION_KEY);
        DynamoDbRequests.Outcome outcome = transact(List.of(recordPut(pending, conditions), pendingPut(pending), newestPut(pending)),
                "enqueueing", pending);
        if (outcome.committed() || outcome.failedCondition(0)) {
            return outcome.committed();
        }
        // Only the newest refused: a rebuild planned later is recorded already, and stays the newest.
        return transact(List.of(recordPut(pending, conditions), pendingPut(pending)), "enqueueing", pending).committed();
    }

    @Override
    public Optional<RebuildKey> newest(String dependent) {
        try {
            return Optional.ofNullable(get(newestKey(dependent)))
                    .map(item -> new RebuildKey(dependent, new ImageDigest(text(item, "baseDigest")), text(item, "occasion")));
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the newest rebuild of " + dependent + " from table " + table + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Rebuild> find(RebuildKey key) {
        try {
            return Optional.ofNullable(get(recordKey(key))).map(DynamoDbRebuildLedger::rebuild);
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading rebuild " + describe(key) + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Rebuild> find(String dependent, ImageDigest baseDigest) {
        try {
            // A digest's partition holds every dependent on every occasion; a dependent's few are filtered out of it.
            return query(QueryRequest.builder()
                    .keyConditionExpression("#pk = :pk")
                    .filterExpression("#dependent = :dependent")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#dependent", "dependent"))
                    .expressionAttributeValues(Map.of(":pk", s(recordPartition(baseDigest)), ":dependent", s(dependent))));
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the rebuilds of " + dependent + " on " + baseDigest + " from table " + table
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<Rebuild> findByBuildId(String buildId) {
        try {
            Map<String, AttributeValue> pointer = get(Map.of(StateTable.PARTITION_KEY, s(BUILDS_PARTITION), StateTable.SORT_KEY, s(buildId)));
            if (pointer == null) {
                return Optional.empty();
            }
            Map<String, AttributeValue> item = get(Map.of(
                    StateTable.PARTITION_KEY, pointer.get("recordPk"),
                    StateTable.SORT_KEY, pointer.get("recordSk")));
            // A rebuild started again later answers to its newer build only.
            return Optional.ofNullable(item).map(DynamoDbRebuildLedger::rebuild).filter(r -> buildId.equals(r.buildId()));
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the rebuild of build " + buildId + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean replace(Rebuild updated) {
        Conditions conditions = new Conditions(SAME_VERSION + " AND " + (updated.status().inFlight() ? IN_FLIGHT : "NOT (" + IN_FLIGHT + ")"))
                .version(updated).inFlightStatuses();
        List<TransactWriteItem> items = new ArrayList<>();
        items.add(recordPut(updated, conditions));
        if (updated.status().inFlight()) {
            // The stored record holds a slot too, so it was not PENDING and has no queue entry to clear.
            buildPointer(updated).ifPresent(items::add);
        } else {
            items.add(pendingEntry(updated));
        }
        if (transact(items, "replacing", updated).committed()) {
            return true;
        }
        // The condition cannot say which half failed: the stored record can. Only a change from the version it was read
        // at can be misuse; a record another writer changed since (a slot taken meanwhile) is a lost race.
        Optional<Rebuild> stored = find(updated.key());
        if (stored.isPresent() && stored.get().version() == updated.version() - 1
                && stored.get().status().inFlight() != updated.status().inFlight()) {
            throw new IllegalArgumentException("from " + stored.get().status() + " to " + updated.status()
                    + " takes or frees a build slot: use takeSlot or releaseSlot");
        }
        return false;
    }

    @Override
    public SlotResult takeSlot(Rebuild starting, int maxInFlight) {
        if (starting.status() != RebuildStatus.STARTING) {
            throw new IllegalArgumentException("a slot is taken by a STARTING rebuild, not " + starting.status());
        }
        if (maxInFlight < 1) {
            return SlotResult.FULL;
        }
        Conditions recordConditions = new Conditions(SAME_VERSION + " AND NOT (" + IN_FLIGHT + ")").version(starting).inFlightStatuses();
        TransactWriteItem slot = TransactWriteItem.builder().update(u -> u
                .tableName(table)
                .key(slotsKey())
                .updateExpression("ADD #holders :holder")
                .conditionExpression("attribute_not_exists(#holders) OR size(#holders) < :max")
                .expressionAttributeNames(Map.of("#holders", HOLDERS))
                .expressionAttributeValues(Map.of(":holder", holderSet(starting.key()), ":max", n(maxInFlight))))
                .build();
        DynamoDbRequests.Outcome outcome = transact(List.of(recordPut(starting, recordConditions), slot, pendingDelete(starting)), "taking a slot for",
                starting);
        if (outcome.committed()) {
            return SlotResult.TAKEN;
        }
        return outcome.failedCondition(0) ? SlotResult.CONFLICT : SlotResult.FULL;
    }

    @Override
    public boolean releaseSlot(Rebuild settled) {
        if (settled.status().inFlight()) {
            throw new IllegalArgumentException("releasing a slot settles the rebuild; " + settled.status() + " still holds one");
        }
        Conditions conditions = new Conditions(SAME_VERSION + " AND " + IN_FLIGHT).version(settled).inFlightStatuses();
        // The record's condition decides; the holder's removal carries none, so no drift between the two could ever
        // keep a finished build from settling.
        TransactWriteItem slot = TransactWriteItem.builder().update(u -> u
                .tableName(table)
                .key(slotsKey())
                .updateExpression("DELETE #holders :holder")
                .expressionAttributeNames(Map.of("#holders", HOLDERS))
                .expressionAttributeValues(Map.of(":holder", holderSet(settled.key()))))
                .build();
        List<TransactWriteItem> items = new ArrayList<>(List.of(recordPut(settled, conditions), slot));
        if (settled.status() == RebuildStatus.PENDING) {
            items.add(pendingPut(settled));
        }
        return transact(items, "releasing the slot of", settled).committed();
    }

    @Override
    public List<Rebuild> pending(RunKey run, int limit) {
        return run(run, "pending rebuilds").stream().filter(r -> r.status() == RebuildStatus.PENDING).limit(limit).toList();
    }

    @Override
    public List<Rebuild> pending(int limit) {
        if (limit < 1) {
            return List.of();
        }
        try {
            List<Rebuild> queued = records(oldestQueueEntries(limit)).stream()
                    // A rebuild can take a slot between the queue's read and its record's.
                    .filter(r -> r.status() == RebuildStatus.PENDING)
                    .sorted(AGE)
                    .toList();
            return queued.subList(0, Math.min(limit, queued.size()));
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the oldest " + limit + " pending rebuilds from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Rebuild> inFlight(RunKey run) {
        return run(run, "rebuilds holding a slot").stream().filter(r -> r.status().inFlight()).toList();
    }

    @Override
    public int inFlightCount() {
        try {
            return holders().size();
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the build slots from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Rebuild> stalled(Instant now, int limit) {
        try {
            // Only a slot holder can be STARTING, and there are never more holders than slots: the pool is the index.
            List<Map<String, AttributeValue>> keys = holders().stream().map(DynamoDbRebuildLedger::holderRecordKey).toList();
            return records(keys).stream().filter(r -> r.isStalled(now)).sorted(AGE).limit(limit).toList();
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the stalled rebuild starts at " + now + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Rebuild> run(RunKey run) {
        return run(run, "rebuilds");
    }

    private List<Rebuild> run(RunKey run, String what) {
        try {
            // The occasion is free text and may itself hold '#': the prefix narrows the read, the filter decides.
            return query(QueryRequest.builder()
                    .keyConditionExpression("#pk = :pk AND begins_with(#sk, :occasion)")
                    .filterExpression("#occasion = :exactOccasion AND #baseRepository = :baseRepository")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#sk", StateTable.SORT_KEY,
                            "#occasion", "occasion", "#baseRepository", "baseRepository"))
                    .expressionAttributeValues(Map.of(
                            ":pk", s(recordPartition(run.baseDigest())),
                            ":occasion", s(run.occasion() + "#"),
                            ":exactOccasion", s(run.occasion()),
                            ":baseRepository", s(run.baseRepository()))));
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the " + what + " of run " + run.describe() + " (" + run.occasion()
                    + ") from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void recordLineage(ImageLineage lineage) {
        Map<String, AttributeValue> builtOn = new HashMap<>(lineageItem(lineage));
        builtOn.put(StateTable.PARTITION_KEY, s(builtOnPartition(lineage.baseRepository(), lineage.baseDigest())));
        builtOn.put(StateTable.SORT_KEY, s(lineage.repository() + "#" + lineage.digest().value()));
        TransactWriteItem first = TransactWriteItem.builder().put(p -> p
                .tableName(table)
                .item(lineageItem(lineage))
                .conditionExpression("attribute_not_exists(#pk)")
                .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)))
                .build();
        TransactWriteItem copy = TransactWriteItem.builder().put(p -> p.tableName(table).item(builtOn)).build();
        // A refused condition means an earlier answer is recorded, and it stays.
        transact(List.of(first, copy), "recording the lineage of " + lineage.repository() + "@" + lineage.digest().value());
    }

    @Override
    public Optional<ImageLineage> lineage(String repository, ImageDigest digest) {
        try {
            return Optional.ofNullable(get(lineageKey(repository, digest))).map(DynamoDbRebuildLedger::lineage);
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the lineage of " + repository + "@" + digest.value() + " from table " + table
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ImageLineage> builtOn(String baseRepository, ImageDigest baseDigest) {
        try {
            List<ImageLineage> children = new ArrayList<>();
            dynamo.queryPaginator(r -> r.tableName(table)
                            .keyConditionExpression("#pk = :pk")
                            .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                            .expressionAttributeValues(Map.of(":pk", s(builtOnPartition(baseRepository, baseDigest))))
                            .consistentRead(true))
                    .items()
                    .forEach(item -> children.add(lineage(item)));
            children.sort(LINEAGE_ORDER);
            return children;
        } catch (SdkException e) {
            throw new RebuildLedgerException("reading the images built on " + baseRepository + "@" + baseDigest.value() + " from table "
                    + table + " failed: " + e.getMessage(), e);
        }
    }

    private Map<String, AttributeValue> get(Map<String, AttributeValue> key) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key).consistentRead(true)).item();
        return item == null || item.isEmpty() ? null : item;
    }

    private List<Rebuild> query(QueryRequest.Builder query) {
        List<Rebuild> rebuilds = new ArrayList<>();
        dynamo.queryPaginator(query.tableName(table).consistentRead(true).build()).items().forEach(item -> rebuilds.add(rebuild(item)));
        rebuilds.sort(AGE);
        return rebuilds;
    }

    private List<String> holders() {
        Map<String, AttributeValue> pool = get(slotsKey());
        return pool == null || !pool.containsKey(HOLDERS) ? List.of() : pool.get(HOLDERS).ss();
    }

    /**
     * The record keys of at least the {@code limit} oldest queue entries. The queue's sort key orders by creation
     * time, but not ties by the ledger's full order, so reading stops only past the instant of the limit-th entry.
     */
    private List<Map<String, AttributeValue>> oldestQueueEntries(int limit) {
        QueryRequest query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                .expressionAttributeValues(Map.of(":pk", s(PENDING_PARTITION)))
                .consistentRead(true)
                .limit(pendingPageSize > 0 ? pendingPageSize : limit + 1)
                .build();
        List<Map<String, AttributeValue>> keys = new ArrayList<>();
        String boundary = null;
        Iterator<Map<String, AttributeValue>> entries = dynamo.queryPaginator(query).items().iterator();
        while (entries.hasNext()) {
            Map<String, AttributeValue> entry = entries.next();
            String createdAt = text(entry, "createdAt");
            if (boundary != null && !createdAt.equals(boundary)) {
                break;
            }
            keys.add(Map.of(StateTable.PARTITION_KEY, entry.get("recordPk"), StateTable.SORT_KEY, entry.get("recordSk")));
            if (keys.size() == limit) {
                boundary = createdAt;
            }
        }
        return keys;
    }

    private List<Rebuild> records(List<Map<String, AttributeValue>> keys) {
        return DynamoDbRequests.batchGet(dynamo, table, keys, "reading rebuild records", RebuildLedgerException::new).stream()
                .map(DynamoDbRebuildLedger::rebuild).toList();
    }

    private DynamoDbRequests.Outcome transact(List<TransactWriteItem> items, String what, Rebuild rebuild) {
        return transact(items, what + " rebuild " + describe(rebuild.key()) + " (version " + rebuild.version() + ")");
    }

    private DynamoDbRequests.Outcome transact(List<TransactWriteItem> items, String what) {
        return DynamoDbRequests.transact(dynamo, items, what + " in table " + table, CONFLICT_ATTEMPTS, RebuildLedgerException::new);
    }

    /** A condition expression with the names and values it uses. */
    private static final class Conditions {
        private final String expression;
        private final Map<String, String> names = new HashMap<>();
        private final Map<String, AttributeValue> values = new HashMap<>();

        Conditions(String expression) {
            this.expression = expression;
        }

        Conditions name(String placeholder, String attribute) {
            names.put(placeholder, attribute);
            return this;
        }

        Conditions version(Rebuild updated) {
            names.put("#version", "version");
            values.put(":expected", n(updated.version() - 1));
            return this;
        }

        Conditions inFlightStatuses() {
            names.put("#status", "status");
            values.put(":starting", s(RebuildStatus.STARTING.name()));
            values.put(":started", s(RebuildStatus.STARTED.name()));
            return this;
        }
    }

    private TransactWriteItem recordPut(Rebuild rebuild, Conditions conditions) {
        Put.Builder put = Put.builder().tableName(table).item(item(rebuild)).conditionExpression(conditions.expression)
                .expressionAttributeNames(conditions.names);
        if (!conditions.values.isEmpty()) {
            put.expressionAttributeValues(conditions.values);
        }
        return TransactWriteItem.builder().put(put.build()).build();
    }

    /** The queue entry as the record's status wants it: there while PENDING, gone otherwise. */
    private TransactWriteItem pendingEntry(Rebuild rebuild) {
        return rebuild.status() == RebuildStatus.PENDING ? pendingPut(rebuild) : pendingDelete(rebuild);
    }

    private TransactWriteItem pendingPut(Rebuild rebuild) {
        Map<String, AttributeValue> entry = new HashMap<>(pendingKey(rebuild));
        entry.put("createdAt", s(StateTable.sortableInstant(rebuild.createdAt())));
        entry.put("recordPk", s(recordPartition(rebuild.key().baseDigest())));
        entry.put("recordSk", s(recordSortKey(rebuild.key())));
        return TransactWriteItem.builder().put(p -> p.tableName(table).item(entry)).build();
    }

    /** Makes {@code rebuild} its dependent's newest, on condition that none planned after it is recorded. */
    private TransactWriteItem newestPut(Rebuild rebuild) {
        Map<String, AttributeValue> item = new HashMap<>(newestKey(rebuild.dependent()));
        item.put(PLANNED, s(planned(rebuild)));
        item.put("baseDigest", s(rebuild.key().baseDigest().value()));
        item.put("occasion", s(rebuild.key().occasion()));
        return TransactWriteItem.builder().put(p -> p
                .tableName(table)
                .item(item)
                .conditionExpression("attribute_not_exists(#planned) OR #planned < :planned")
                .expressionAttributeNames(Map.of("#planned", PLANNED))
                .expressionAttributeValues(Map.of(":planned", item.get(PLANNED))))
                .build();
    }

    private TransactWriteItem pendingDelete(Rebuild rebuild) {
        return TransactWriteItem.builder().delete(d -> d.tableName(table).key(pendingKey(rebuild))).build();
    }

    /** Written when the build id is first known; a settled record keeps its build id, so the pointer stays right. */
    private Optional<TransactWriteItem> buildPointer(Rebuild rebuild) {
        if (rebuild.status() != RebuildStatus.STARTED || rebuild.buildId() == null) {
            return Optional.empty();
        }
        Map<String, AttributeValue> pointer = new HashMap<>();
        pointer.put(StateTable.PARTITION_KEY, s(BUILDS_PARTITION));
        pointer.put(StateTable.SORT_KEY, s(rebuild.buildId()));
        pointer.put("recordPk", s(recordPartition(rebuild.key().baseDigest())));
        pointer.put("recordSk", s(recordSortKey(rebuild.key())));
        pointer.put("dependent", s(rebuild.dependent()));
        return Optional.of(TransactWriteItem.builder().put(p -> p.tableName(table).item(pointer)).build());
    }

    static Map<String, AttributeValue> recordKey(RebuildKey key) {
        return Map.of(
                StateTable.PARTITION_KEY, s(recordPartition(key.baseDigest())),
                StateTable.SORT_KEY, s(recordSortKey(key)));
    }

    static String recordPartition(ImageDigest baseDigest) {
        return RECORD_PREFIX + baseDigest.value();
    }

    static String recordSortKey(RebuildKey key) {
        return key.occasion() + "#" + key.dependent();
    }

    static Map<String, AttributeValue> newestKey(String dependent) {
        return Map.of(StateTable.PARTITION_KEY, s(NEWEST_PARTITION), StateTable.SORT_KEY, s(dependent));
    }

    /**
     * {@link Rebuild#PLANNING_ORDER} as text that sorts the same: the instant and the digest have fixed widths. Occasions
     * compare by UTF-8 bytes here, which can differ from Java's order only between occasions of one digest, and those
     * never supersede each other.
     */
    static String planned(Rebuild rebuild) {
        return StateTable.sortableInstant(rebuild.createdAt()) + "#" + rebuild.key().baseDigest().value() + "#" + rebuild.key().occasion();
    }

    static Map<String, AttributeValue> slotsKey() {
        return Map.of(StateTable.PARTITION_KEY, s(SLOTS), StateTable.SORT_KEY, s(SLOTS));
    }

    static Map<String, AttributeValue> pendingKey(Rebuild rebuild) {
        RebuildKey key = rebuild.key();
        return Map.of(
                StateTable.PARTITION_KEY, s(PENDING_PARTITION),
                StateTable.SORT_KEY, s(StateTable.sortableInstant(rebuild.createdAt()) + "#" + key.baseDigest().value() + "#"
                        + recordSortKey(key)));
    }

    /** The base digest, which has a fixed form without '#', then the record's sort key: both halves of its key. */
    static String holder(RebuildKey key) {
        return key.baseDigest().value() + "#" + recordSortKey(key);
    }

    private static AttributeValue holderSet(RebuildKey key) {
        return AttributeValue.fromSs(List.of(holder(key)));
    }

    private static Map<String, AttributeValue> holderRecordKey(String holder) {
        int split = holder.indexOf('#');
        return Map.of(
                StateTable.PARTITION_KEY, s(RECORD_PREFIX + holder.substring(0, split)),
                StateTable.SORT_KEY, s(holder.substring(split + 1)));
    }

    static Map<String, AttributeValue> lineageKey(String repository, ImageDigest digest) {
        return Map.of(StateTable.PARTITION_KEY, s(LINEAGE_PREFIX + repository), StateTable.SORT_KEY, s(digest.value()));
    }

    static String builtOnPartition(String baseRepository, ImageDigest baseDigest) {
        return BUILT_ON_PREFIX + baseRepository + "#" + baseDigest.value();
    }

    private static String describe(RebuildKey key) {
        return key.dependent() + " on " + key.baseDigest().value() + " (" + key.occasion() + ")";
    }

    private static Map<String, AttributeValue> item(Rebuild rebuild) {
        RebuildKey key = rebuild.key();
        Map<String, AttributeValue> item = new HashMap<>(recordKey(key));
        item.put("dependent", s(key.dependent()));
        item.put("baseDigest", s(key.baseDigest().value()));
        item.put("occasion", s(key.occasion()));
        item.put("baseRepository", s(rebuild.baseRepository()));
        item.put("baseImage", s(rebuild.baseImage()));
        item.put("target", AttributeValue.fromM(Map.of("kind", s(rebuild.target().kind().name()), "name", s(rebuild.target().name()))));
        putText(item, "produces", rebuild.produces());
        RunKey root = rebuild.root();
        item.put("root", AttributeValue.fromM(Map.of(
                "baseRepository", s(root.baseRepository()),
                "baseDigest", s(root.baseDigest().value()),
                "occasion", s(root.occasion()))));
        item.put("wave", n(rebuild.wave()));
        item.put("status", s(rebuild.status().name()));
        putText(item, "buildId", rebuild.buildId());
        item.put("attempts", n(rebuild.attempts()));
        putText(item, "reason", rebuild.reason());
        putInstant(item, "leaseUntil", rebuild.leaseUntil());
        putText(item, "trigger", rebuild.trigger());
        putInstant(item, "createdAt", rebuild.createdAt());
        putInstant(item, "updatedAt", rebuild.updatedAt());
        item.put("version", n(rebuild.version()));
        return item;
    }

    private static Rebuild rebuild(Map<String, AttributeValue> item) {
        Map<String, AttributeValue> target = item.get("target").m();
        Map<String, AttributeValue> root = item.get("root").m();
        return new Rebuild(
                new RebuildKey(text(item, "dependent"), new ImageDigest(text(item, "baseDigest")), text(item, "occasion")),
                text(item, "baseRepository"),
                text(item, "baseImage"),
                new BuildTarget(BuildTarget.Kind.valueOf(text(target, "kind")), text(target, "name")),
                text(item, "produces"),
                new RunKey(text(root, "baseRepository"), new ImageDigest(text(root, "baseDigest")), text(root, "occasion")),
                Integer.parseInt(item.get("wave").n()),
                RebuildStatus.valueOf(text(item, "status")),
                text(item, "buildId"),
                Integer.parseInt(item.get("attempts").n()),
                text(item, "reason"),
                instant(item, "leaseUntil"),
                text(item, "trigger"),
                instant(item, "createdAt"),
                instant(item, "updatedAt"),
                Long.parseLong(item.get("version").n()));
    }

    private static Map<String, AttributeValue> lineageItem(ImageLineage lineage) {
        Map<String, AttributeValue> item = new HashMap<>(lineageKey(lineage.repository(), lineage.digest()));
        item.put("repository", s(lineage.repository()));
        item.put("digest", s(lineage.digest().value()));
        item.put("baseRepository", s(lineage.baseRepository()));
        item.put("baseDigest", s(lineage.baseDigest().value()));
        item.put("source", s(lineage.source().name()));
        putInstant(item, "recordedAt", lineage.recordedAt());
        return item;
    }

    private static ImageLineage lineage(Map<String, AttributeValue> item) {
        return new ImageLineage(text(item, "repository"), new ImageDigest(text(item, "digest")), text(item, "baseRepository"),
                new ImageDigest(text(item, "baseDigest")), ImageLineage.Source.valueOf(text(item, "source")),
                instant(item, "recordedAt"));
    }
}
