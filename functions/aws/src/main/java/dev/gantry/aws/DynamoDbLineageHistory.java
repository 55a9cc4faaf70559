package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.LineageHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Base versions and child images in the order Gantry saw them, in its DynamoDB table (decision 12). Each sighting is a
 * guard keyed by digest and an entry keyed by time, written in one transaction conditional on the guard being new:
 *
 * <ul>
 *   <li>A base version: {@code pk = BASE_VERSION#<base name>}, {@code sk = <digest>}, and
 *       {@code pk = BASE_HISTORY#<base name>}, {@code sk = <seen at, fixed width>#<digest>}.</li>
 *   <li>A child image: {@code pk = CHILD#<repository>}, {@code sk = <digest>}, and
 *       {@code pk = CHILDREN#<repository>}, {@code sk = <recorded at, fixed width>#<digest>}.</li>
 * </ul>
 *
 * <p>Not the ledger's {@code LINEAGE#} items: the rebuild service records the same lineage in both, and the second
 * writer would find the first's guard and record nothing.
 */
public final class DynamoDbLineageHistory implements LineageHistory {

    static final String BASE_VERSION_PREFIX = "BASE_VERSION#";
    static final String BASE_HISTORY_PREFIX = "BASE_HISTORY#";
    static final String CHILD_PREFIX = "CHILD#";
    static final String CHILDREN_PREFIX = "CHILDREN#";

    /**
     * Attempts at a sighting that collided with another transaction in flight on the same digest. Racers on one
     * digest settle quickly: once one commits, the others fail its condition.
     */
    private static final int CONFLICT_ATTEMPTS = 5;


    private final DynamoDbClient dynamo;
    private final String table;
    private final int pageSize;

    public DynamoDbLineageHistory(DynamoDbClient dynamo, String table) {
        this(dynamo, table, 0);
    }

    /** @param pageSize items per page of the list queries; 0 for DynamoDB's own pages */
    DynamoDbLineageHistory(DynamoDbClient dynamo, String table, int pageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.pageSize = pageSize;
    }

    @Override
    public void recordBaseVersion(BaseVersion version) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("baseName", s(version.baseName()));
        item.put("digest", s(version.digest().value()));
        putInstant(item, "seenAt", version.seenAt());
        recordFirst(BASE_VERSION_PREFIX + version.baseName(), BASE_HISTORY_PREFIX + version.baseName(), version.digest(),
                version.seenAt(), item, "recording version " + version.digest().value() + " of base " + version.baseName());
    }

    @Override
    public List<BaseVersion> baseVersions(String baseName) {
        return history(BASE_HISTORY_PREFIX + baseName, "the versions of base " + baseName,
                item -> new BaseVersion(text(item, "baseName"), new ImageDigest(text(item, "digest")), instant(item, "seenAt")));
    }

    @Override
    public void recordChild(ImageLineage lineage) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("repository", s(lineage.repository()));
        item.put("digest", s(lineage.digest().value()));
        item.put("baseRepository", s(lineage.baseRepository()));
        item.put("baseDigest", s(lineage.baseDigest().value()));
        item.put("source", s(lineage.source().name()));
        putInstant(item, "recordedAt", lineage.recordedAt());
        recordFirst(CHILD_PREFIX + lineage.repository(), CHILDREN_PREFIX + lineage.repository(), lineage.digest(),
                lineage.recordedAt(), item, "recording child image " + lineage.repository() + "@" + lineage.digest().value());
    }

    @Override
    public List<ImageLineage> children(String repository) {
        return history(CHILDREN_PREFIX + repository, "the child images of " + repository,
                item -> new ImageLineage(text(item, "repository"), new ImageDigest(text(item, "digest")), text(item, "baseRepository"),
                        new ImageDigest(text(item, "baseDigest")), ImageLineage.Source.valueOf(text(item, "source")),
                        instant(item, "recordedAt")));
    }

    static String historySortKey(Instant at, ImageDigest digest) {
        return StateTable.sortableInstant(at) + "#" + digest.value();
    }

    /** Writes the guard and the history entry, both carrying {@code fields}, unless the guard is there already. */
    private void recordFirst(String guardPartition, String historyPartition, ImageDigest digest, Instant at,
            Map<String, AttributeValue> fields, String what) {
        Map<String, AttributeValue> guard = new HashMap<>(fields);
        guard.put(StateTable.PARTITION_KEY, s(guardPartition));
        guard.put(StateTable.SORT_KEY, s(digest.value()));
        Map<String, AttributeValue> entry = new HashMap<>(fields);
        entry.put(StateTable.PARTITION_KEY, s(historyPartition));
        entry.put(StateTable.SORT_KEY, s(historySortKey(at, digest)));
        List<TransactWriteItem> items = List.of(
                TransactWriteItem.builder().put(p -> p
                        .tableName(table)
                        .item(guard)
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)))
                        .build(),
                TransactWriteItem.builder().put(p -> p.tableName(table).item(entry)).build());
        // A refused condition means the first sighting is recorded, and it stays.
        DynamoDbRequests.transact(dynamo, items, what + " in table " + table, CONFLICT_ATTEMPTS, LineageHistoryException::new);
    }

    private <T> List<T> history(String partition, String what, Function<Map<String, AttributeValue>, T> read) {
        try {
            QueryRequest.Builder query = QueryRequest.builder()
                    .tableName(table)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":pk", s(partition)))
                    .consistentRead(true);
            if (pageSize > 0) {
                query.limit(pageSize);
            }
            List<T> seen = new ArrayList<>();
            dynamo.queryPaginator(query.build()).items().forEach(item -> seen.add(read.apply(item)));
            return seen;
        } catch (SdkException e) {
            throw new LineageHistoryException("reading " + what + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }
}
