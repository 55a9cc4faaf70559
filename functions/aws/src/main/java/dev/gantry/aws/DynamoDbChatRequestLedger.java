package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.chatops.ChatRequestLedger;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;

/**
 * Chat request records in Gantry's DynamoDB table (decision 15): one item per request, {@code pk = CHAT_REQUEST#<request key>},
 * {@code sk = CHAT_REQUEST}, with {@code status} (CLAIMED or COMPLETED), {@code owner}, {@code leaseUntil},
 * {@code outcome} and {@code completedAt}. {@code leaseUntil} is a number, epoch seconds with the nanosecond fraction, so
 * the claim's condition compares it with {@code now} exactly. Every write sets {@code expiresAt}, so DynamoDB's TTL
 * removes a record {@value #RETENTION_DAYS} days after its last change.
 */
public final class DynamoDbChatRequestLedger implements ChatRequestLedger {

    static final String PARTITION_PREFIX = "CHAT_REQUEST#";
    static final String SORT_KEY_VALUE = "CHAT_REQUEST";
    static final String TTL_ATTRIBUTE = "expiresAt";

    /**
     * How long a record outlives its last change: a click on a card must still find it, and CodePipeline stops waiting
     * for an approval after seven days, so a month leaves room for a gate that waits longer.
     */
    static final int RETENTION_DAYS = 30;
    static final Duration RETENTION = Duration.ofDays(RETENTION_DAYS);

    private static final String CLAIMED = "CLAIMED";
    private static final String COMPLETED = "COMPLETED";
    private static final String HELD_BY_OWNER = "#owner = :owner AND #status <> :completed";

    /**
     * Claims after a failed condition that found no record: an abandon deleted it in between. Each round is a fresh race
     * for a record that is gone, so a handful is plenty.
     */
    private static final int VANISHED_RECORD_ATTEMPTS = 3;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbChatRequestLedger(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Claim claim(String requestKey, String owner, Instant now, Duration lease) {
        Map<String, AttributeValue> item = new HashMap<>(key(requestKey));
        item.put("requestKey", s(requestKey));
        item.put("status", s(CLAIMED));
        item.put("owner", s(owner));
        item.put("leaseUntil", AttributeValue.fromN(DynamoDbGateStore.epochSeconds(now.plus(lease))));
        item.put("claimedAt", s(now.toString()));
        item.put(TTL_ATTRIBUTE, n(expiry(now)));
        for (int attempt = 1; attempt <= VANISHED_RECORD_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> winner;
            try {
                dynamo.putItem(r -> r
                        .tableName(table)
                        .item(item)
                        .conditionExpression("attribute_not_exists(#pk) OR (#status <> :completed AND #leaseUntil < :now)")
                        .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#status", "status", "#leaseUntil", "leaseUntil"))
                        .expressionAttributeValues(Map.of(":completed", s(COMPLETED),
                                ":now", AttributeValue.fromN(DynamoDbGateStore.epochSeconds(now))))
                        .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
                return new Claim.Granted();
            } catch (ConditionalCheckFailedException e) {
                winner = e.hasItem() && !e.item().isEmpty() ? e.item() : read(requestKey);
            } catch (SdkException e) {
                throw new ChatRequestLedgerException("claiming chat request " + requestKey + " in table " + table + " failed: " + e.getMessage(), e);
            }
            if (winner != null) {
                return COMPLETED.equals(text(winner, "status"))
                        ? new Claim.AlreadyDone(text(winner, "outcome"), instant(winner, "completedAt"))
                        : new Claim.InProgress(epochInstant(winner.get("leaseUntil")));
            }
        }
        throw new ChatRequestLedgerException("claiming chat request " + requestKey + " in table " + table + " found its record gone "
                + VANISHED_RECORD_ATTEMPTS + " times", null);
    }

    @Override
    public void complete(String requestKey, String owner, String outcome, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":completed", s(COMPLETED));
        values.put(":outcome", s(outcome));
        values.put(":now", s(now.toString()));
        values.put(":expiresAt", n(expiry(now)));
        try {
            dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(requestKey))
                    .updateExpression("SET #status = :completed, #outcome = :outcome, #completedAt = :now, #expiresAt = :expiresAt"
                            + " REMOVE #leaseUntil")
                    .conditionExpression(HELD_BY_OWNER)
                    .expressionAttributeNames(Map.of("#owner", "owner", "#status", "status", "#outcome", "outcome",
                            "#completedAt", "completedAt", "#expiresAt", TTL_ATTRIBUTE, "#leaseUntil", "leaseUntil"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException(requestKey, owner);
        } catch (SdkException e) {
            throw new ChatRequestLedgerException("completing chat request " + requestKey + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the record rather than ending its lease early, so the next claim is granted whatever its invocation's clock
     * says.
     */
    @Override
    public void abandon(String requestKey, String owner, Instant now) {
        try {
            dynamo.deleteItem(r -> r
                    .tableName(table)
                    .key(key(requestKey))
                    .conditionExpression(HELD_BY_OWNER)
                    .expressionAttributeNames(Map.of("#owner", "owner", "#status", "status"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":completed", s(COMPLETED))));
        } catch (ConditionalCheckFailedException e) {
            // Someone else holds it now, or it is completed: nothing of ours to give up.
        } catch (SdkException e) {
            throw new ChatRequestLedgerException("giving up chat request " + requestKey + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> key(String requestKey) {
        return Map.of(
                StateTable.PARTITION_KEY, s(PARTITION_PREFIX + requestKey),
                StateTable.SORT_KEY, s(SORT_KEY_VALUE));
    }

    private Map<String, AttributeValue> read(String requestKey) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key(requestKey)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? null : item;
        } catch (SdkException e) {
            throw new ChatRequestLedgerException("reading chat request " + requestKey + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static long expiry(Instant now) {
        // DynamoDB's TTL reads epoch seconds.
        return now.plus(RETENTION).getEpochSecond();
    }

    private static Instant epochInstant(AttributeValue epochSeconds) {
        BigDecimal value = new BigDecimal(epochSeconds.n());
        BigDecimal seconds = value.setScale(0, RoundingMode.FLOOR);
        return Instant.ofEpochSecond(seconds.longValueExact(), value.subtract(seconds).movePointRight(9).intValueExact());
    }
}
