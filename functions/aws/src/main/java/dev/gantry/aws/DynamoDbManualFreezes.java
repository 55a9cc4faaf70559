package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;

/**
 * Manual freezes in Gantry's DynamoDB table (decision 15): {@code pk = FREEZES}, {@code sk = <scope>}, one partition so
 * that every gate evaluation reads them all in one consistent Query. Attributes {@code scope}, {@code until},
 * {@code reason}, {@code frozenBy} and {@code frozenAt}; instants are ISO-8601 text, and {@code until} is absent for a
 * freeze that lasts until lifted. A freeze with an end sets {@code expiresAt}, so DynamoDB's TTL removes it a day later;
 * an open-ended one stays until lifted.
 */
public final class DynamoDbManualFreezes implements ManualFreezes {

    static final String PARTITION = "FREEZES";
    static final String TTL_ATTRIBUTE = "expiresAt";

    /** An ended freeze holds nothing; a day's grace keeps it in the console for whoever asks why last night's release waited. */
    static final Duration KEPT_AFTER_END = Duration.ofDays(1);

    private final DynamoDbClient dynamo;
    private final String table;
    private final int pageSize;

    public DynamoDbManualFreezes(DynamoDbClient dynamo, String table) {
        this(dynamo, table, 0);
    }

    /** @param pageSize items per page of the query; 0 for DynamoDB's own pages */
    DynamoDbManualFreezes(DynamoDbClient dynamo, String table, int pageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.pageSize = pageSize;
    }

    @Override
    public void put(ManualFreeze freeze) {
        try {
            dynamo.putItem(r -> r.tableName(table).item(item(freeze)));
        } catch (SdkException e) {
            throw new ManualFreezesException("putting the manual freeze of " + freeze.scope() + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void lift(String scope) {
        try {
            dynamo.deleteItem(r -> r.tableName(table).key(key(scope)));
        } catch (SdkException e) {
            throw new ManualFreezesException("lifting the manual freeze of " + scope + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<ManualFreeze> all() {
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression("#pk = :pk")
                .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                .expressionAttributeValues(Map.of(":pk", s(PARTITION)))
                .consistentRead(true);
        if (pageSize > 0) {
            query.limit(pageSize);
        }
        try {
            List<ManualFreeze> freezes = new ArrayList<>();
            dynamo.queryPaginator(query.build()).items().forEach(item -> freezes.add(freeze(item)));
            return freezes;
        } catch (SdkException e) {
            throw new ManualFreezesException("reading the manual freezes from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> key(String scope) {
        return Map.of(StateTable.PARTITION_KEY, s(PARTITION), StateTable.SORT_KEY, s(scope));
    }

    private static Map<String, AttributeValue> item(ManualFreeze freeze) {
        Map<String, AttributeValue> item = new HashMap<>(key(freeze.scope()));
        item.put("scope", s(freeze.scope()));
        putInstant(item, "until", freeze.until());
        putText(item, "reason", freeze.reason().isEmpty() ? null : freeze.reason());
        item.put("frozenBy", s(freeze.by()));
        putInstant(item, "frozenAt", freeze.at());
        if (freeze.until() != null) {
            // DynamoDB's TTL reads epoch seconds.
            item.put(TTL_ATTRIBUTE, n(freeze.until().plus(KEPT_AFTER_END).getEpochSecond()));
        }
        return item;
    }

    private static ManualFreeze freeze(Map<String, AttributeValue> item) {
        return new ManualFreeze(text(item, "scope"), instant(item, "until"), text(item, "reason"), text(item, "frozenBy"),
                instant(item, "frozenAt"));
    }
}
