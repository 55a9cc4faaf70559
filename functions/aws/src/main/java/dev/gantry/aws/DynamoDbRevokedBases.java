package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.RevokedBases;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

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
    private static final long FIRST_PAUSE_MILLIS = 20;
    private static final long LONGEST_PAUSE_MILLIS = 320;

    /** Lexical order is time order only when every instant has the same width: nine fraction digits, always. */
    private static final DateTimeFormatter SORTABLE_INSTANT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

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
        String failure = "revoking " + revoked.repository() + "@" + revoked.digest().value() + " in table " + table;
        for (int attempt = 1; ; attempt++) {
            try {
                // The SDK fills ClientRequestToken, so its own retry of a committed transaction is not applied again
                // (which would fail the condition and wrongly answer false).
                dynamo.transactWriteItems(r -> r.transactItems(items));
                return true;
            } catch (TransactionCanceledException e) {
                if (hasReason(e, "ConditionalCheckFailed")) {
                    return false;
                }
                // Nothing was written: the condition decides again on the next attempt.
                if (hasReason(e, "TransactionConflict") && attempt < CONFLICT_ATTEMPTS) {
                    pause(attempt);
                    continue;
                }
                throw new RevokedBasesException(failure + " was cancelled: " + reasons(e), e);
            } catch (SdkException e) {
                throw new RevokedBasesException(failure + " failed", e);
            }
        }
    }

    @Override
    public Optional<RevokedBase> find(String repository, ImageDigest digest) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(recordKey(repository, digest))
                    .consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(revokedBase(item));
        } catch (SdkException e) {
            throw new RevokedBasesException("reading the revocation of " + repository + "@" + digest.value() + " from table "
                    + table + " failed", e);
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
            throw new RevokedBasesException("listing the revoked base digests from table " + table + " failed", e);
        }
    }

    static Map<String, AttributeValue> recordKey(String repository, ImageDigest digest) {
        return Map.of(StateTable.PARTITION_KEY, s(RECORD_PREFIX + repository), StateTable.SORT_KEY, s(digest.value()));
    }

    static String listSortKey(RevokedBase revoked) {
        return SORTABLE_INSTANT.format(revoked.revokedAt()) + "#" + revoked.repository() + "#" + revoked.digest().value();
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

    /** Jittered, growing pauses: racers that collided once would collide again if they all came back together. */
    private static void pause(int attempt) {
        long ceiling = Math.min(LONGEST_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RevokedBasesException("interrupted while retrying a revocation", e);
        }
    }

    private static boolean hasReason(TransactionCanceledException e, String code) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream().anyMatch(r -> code.equals(r.code()));
    }

    private static String reasons(TransactionCanceledException e) {
        if (!e.hasCancellationReasons()) {
            return String.valueOf(e.getMessage());
        }
        return e.cancellationReasons().stream()
                .map(r -> r.message() == null ? r.code() : r.code() + " (" + r.message() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
