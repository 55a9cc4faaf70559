package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.RevokedBases;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Revoked base digests in Gantry's DynamoDB table (decision 12): the record at {@code pk = REVOKED#<repository>},
 * {@code sk = <digest>}, and a copy at {@code pk = REVOKED_BASES}, {@code sk = <revoked at, fixed width>#<repository>#<digest>},
 * written in one transaction conditional on the record being new, so {@link #list} is one Query in time order.
 */
public final class DynamoDbRevokedBases implements RevokedBases {

    static final String RECORD_PREFIX = "REVOKED#";
    static final String LIST_PARTITION = "REVOKED_BASES";

    /**
     * Attempts at a revocation that collided with another transaction in flight on the same digest. Racers on one
     * digest settle quickly: once one commits, the others fail its condition.
     */
    private static final int CONFLICT_ATTEMPTS = 5;


    private final DynamoDbClient dynamo;
    private final String table;
    private final int pageSize;

    public DynamoDbRevokedBases(DynamoDbClient dynamo, String table) {
        this(dynamo, table, 0);
    }

    /** @param pageSize items per page of the list query; 0 for DynamoDB's own pages */
    DynamoDbRevokedBases(DynamoDbClient dynamo, String table, int pageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.pageSize = pageSize;
    }

    @Override
    public boolean revoke(RevokedBase revoked) {
        Map<String, AttributeValue> copy = new HashMap<>(item(revoked));
        copy.put(StateTable.PARTITION_KEY, s(LIST_PARTITION));
        copy.put(StateTable.SORT_KEY, s(listSortKey(revoked)));
        List<TransactWriteItem> items = List.of(
                TransactWriteItem.builder().put(p -> p
                        .tableName(table)
                        .item(item(revoked))
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)))
                        .build(),
                TransactWriteItem.builder().put(p -> p.tableName(table).item(copy)).build());
        String what = "revoking " + revoked.repository() + "@" + revoked.digest().value() + " in table " + table;
        return DynamoDbRequests.transact(dynamo, items, what, CONFLICT_ATTEMPTS, RevokedBasesException::new).committed();
    }

    @Override
    public Optional<RevokedBase> find(String repository, ImageDigest digest) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(recordKey(repository, digest))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(revokedBase(item));
        } catch (SdkException e) {
            throw new RevokedBasesException("reading the revocation of " + repository + "@" + digest.value() + " from table "
                    + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<RevokedBase> list() {
        try {
            QueryRequest.Builder query = QueryRequest.builder()
                    .tableName(table)
                    .keyConditionExpression("#pk = :pk")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                    .expressionAttributeValues(Map.of(":pk", s(LIST_PARTITION)))
                    .consistentRead(true);
            if (pageSize > 0) {
                query.limit(pageSize);
            }
            List<RevokedBase> revoked = new ArrayList<>();
            dynamo.queryPaginator(query.build()).items().forEach(item -> revoked.add(revokedBase(item)));
            return revoked;
        } catch (SdkException e) {
            throw new RevokedBasesException("listing the revoked base digests from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> recordKey(String repository, ImageDigest digest) {
        return Map.of(StateTable.PARTITION_KEY, s(RECORD_PREFIX + repository), StateTable.SORT_KEY, s(digest.value()));
    }

    static String listSortKey(RevokedBase revoked) {
        return StateTable.sortableInstant(revoked.revokedAt()) + "#" + revoked.repository() + "#" + revoked.digest().value();
    }

    private static Map<String, AttributeValue> item(RevokedBase revoked) {
        Map<String, AttributeValue> item = new HashMap<>(recordKey(revoked.repository(), revoked.digest()));
        item.put("repository", s(revoked.repository()));
        item.put("digest", s(revoked.digest().value()));
        item.put("revokedBy", s(revoked.revokedBy()));
        item.put("reason", s(revoked.reason()));
        putInstant(item, "revokedAt", revoked.revokedAt());
        return item;
    }

    private static RevokedBase revokedBase(Map<String, AttributeValue> item) {
        return new RevokedBase(text(item, "repository"), new ImageDigest(text(item, "digest")), text(item, "revokedBy"),
                text(item, "reason"), instant(item, "revokedAt"));
    }
}
