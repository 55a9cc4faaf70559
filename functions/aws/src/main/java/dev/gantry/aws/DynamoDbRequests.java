package dev.gantry.aws;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.CancellationReason;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * The two DynamoDB requests every Gantry store retries the same way: a conditional transaction that another one in
 * flight on the same items cancelled (nothing was written, so the conditions decide again), and a batch read that
 * left keys unprocessed. Each store keeps its own exception type: {@code failure} builds it from a message and a cause.
 */
final class DynamoDbRequests {

    private static final long FIRST_PAUSE_MILLIS = 20;
    private static final long LONGEST_PAUSE_MILLIS = 640;
    private static final int BATCH_GET_KEYS = 100;
    private static final int BATCH_GET_ROUNDS = 8;

    private DynamoDbRequests() {}

    /** How a transaction ended: committed, or refused by the conditions whose codes are listed in item order. */
    record Outcome(List<String> cancellationCodes) {
        boolean committed() {
            return cancellationCodes.isEmpty();
        }

        boolean failedCondition(int item) {
            return item < cancellationCodes.size() && "ConditionalCheckFailed".equals(cancellationCodes.get(item));
        }
    }

    /**
     * Writes {@code items} in one transaction, trying again up to {@code attempts} times while another transaction's
     * conflict cancels it. The SDK fills ClientRequestToken, so its own retry of a transaction that did commit is not
     * applied a second time (which would fail its condition and wrongly report a refusal).
     *
     * @param what what the write does, for messages: "revoking golden/java21@sha256:... in table gantry"
     */
    static Outcome transact(DynamoDbClient dynamo, List<TransactWriteItem> items, String what, int attempts,
            BiFunction<String, Throwable, RuntimeException> failure) {
        for (int attempt = 1; ; attempt++) {
            try {
                dynamo.transactWriteItems(r -> r.transactItems(items));
                return new Outcome(List.of());
            } catch (TransactionCanceledException e) {
                if (hasReason(e, "ConditionalCheckFailed")) {
                    return new Outcome(e.cancellationReasons().stream().map(CancellationReason::code).toList());
                }
                if (hasReason(e, "TransactionConflict") && attempt < attempts) {
                    pause(attempt, what, failure);
                    continue;
                }
                throw failure.apply(what + " was cancelled: " + reasons(e), e);
            } catch (SdkException e) {
                throw failure.apply(what + " failed: " + e.getMessage(), e);
            }
        }
    }

    /** Reads {@code keys} of {@code table} consistently, in batches, until none is left unprocessed. */
    static List<Map<String, AttributeValue>> batchGet(DynamoDbClient dynamo, String table, List<Map<String, AttributeValue>> keys,
            String what, BiFunction<String, Throwable, RuntimeException> failure) {
        List<Map<String, AttributeValue>> items = new ArrayList<>();
        for (int from = 0; from < keys.size(); from += BATCH_GET_KEYS) {
            Map<String, KeysAndAttributes> request = Map.of(table, KeysAndAttributes.builder()
                    .keys(keys.subList(from, Math.min(from + BATCH_GET_KEYS, keys.size())))
                    .consistentRead(true)
                    .build());
            for (int round = 1; !request.isEmpty(); round++) {
                if (round > BATCH_GET_ROUNDS) {
                    throw failure.apply(what + " from table " + table + " left " + request.get(table).keys().size()
                            + " unread after " + BATCH_GET_ROUNDS + " rounds", null);
                }
                Map<String, KeysAndAttributes> unread = request;
                BatchGetItemResponse response;
                try {
                    response = dynamo.batchGetItem(r -> r.requestItems(unread));
                } catch (SdkException e) {
                    throw failure.apply(what + " from table " + table + " failed: " + e.getMessage(), e);
                }
                items.addAll(response.responses().getOrDefault(table, List.of()));
                request = response.unprocessedKeys();
                if (!request.isEmpty()) {
                    pause(round, what, failure);
                }
            }
        }
        return items;
    }

    /**
     * Jittered, growing pauses: racers that collided once would collide again if they all came back together. The jitter
     * is drawn from a fresh SecureRandom, not ThreadLocalRandom: that one's seeds all derive from a seed taken when its
     * class loads, which a SnapStart snapshot holds, so copies of a function restored from one snapshot (as a burst of
     * events starts them, racing for the same items) would draw the same pauses.
     */
    private static void pause(int attempt, String what, BiFunction<String, Throwable, RuntimeException> failure) {
        long ceiling = Math.min(LONGEST_PAUSE_MILLIS, FIRST_PAUSE_MILLIS << Math.min(attempt - 1, 10));
        try {
            Thread.sleep(ceiling / 2 + new SecureRandom().nextLong(ceiling / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure.apply("interrupted while retrying: " + what, e);
        }
    }

    private static boolean hasReason(TransactionCanceledException e, String code) {
        return e.hasCancellationReasons() && e.cancellationReasons().stream().anyMatch(r -> code.equals(r.code()));
    }

    static String reasons(TransactionCanceledException e) {
        if (!e.hasCancellationReasons()) {
            return String.valueOf(e.getMessage());
        }
        return e.cancellationReasons().stream()
                .map(r -> r.message() == null ? r.code() : r.code() + " (" + r.message() + ")")
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
