package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ReleaseThread;
import dev.gantry.core.notify.ReleaseThreads;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.notify.ThreadKey;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Release threads in Gantry's DynamoDB table: one item per thread, {@code pk = THREAD#<kind>#<name>},
 * {@code sk = <id>} (a release: {@code THREAD#RELEASE#payments-api} and the image digest; a rebuild:
 * {@code THREAD#REBUILD#golden/java21} and the base digest; a pipeline run: {@code THREAD#PIPELINE#<pipeline>} and the
 * execution id; one of Gantry's own alarms: {@code THREAD#OPERATIONS#<alarm name>} and its region), so a service's
 * threads are one Query.
 *
 * <p>What Slack has seen is plain attributes ({@code channel}, {@code headlineTs}, {@code shownRevision},
 * {@code rejected}, the delivery lease {@code leaseOwner}/{@code leaseUntil}, and the headline post set out on but not
 * recorded yet, {@code postingMarker}/{@code postingAt}), readable in the console, with a
 * {@code status} copied from the story for the same reader. The story itself is one JSON string, {@code state}: it is
 * read and written whole, never queried, and its shape follows core's record, so a new field needs no migration
 * (unknown fields are ignored on read, absent ones read as empty). Instants are ISO-8601 text, exact to the nanosecond.
 *
 * <p>A save puts the whole item, conditional on {@code attribute_not_exists(pk)} for a new thread and on
 * {@code version = :expected} otherwise; a failed condition answers false. Each save sets {@code expiresAt}, so
 * DynamoDB's TTL removes a thread {@value #RETENTION_DAYS} days after its last change. A thread stays far below the
 * 400 KB item limit: its story keeps at most 200 news ids, 20 steps, 10 links and the replies not yet posted; a rebuild
 * thread adds about 50 bytes per dependent.
 */
public final class DynamoDbReleaseThreads implements ReleaseThreads {

    static final String PARTITION_PREFIX = "THREAD#";
    static final String TTL_ATTRIBUTE = "expiresAt";

    /**
     * How long a thread is kept after its last change. Slack threads older than this are not updated any more: a
     * release that moves on after three months (a late rollback) starts a new thread, which is what people would read.
     */
    static final int RETENTION_DAYS = 90;
    static final Duration RETENTION = Duration.ofDays(RETENTION_DAYS);

    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule("instants-as-iso-text")
                    .addSerializer(Instant.class, ToStringSerializer.instance)
                    .addDeserializer(Instant.class, new JsonDeserializer<>() {
                        @Override
                        public Instant deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                            return Instant.parse(parser.getValueAsString());
                        }
                    }))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
            .build();

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbReleaseThreads(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public Optional<StoredThread> find(ThreadKey key) {
        Map<String, AttributeValue> item;
        try {
            item = dynamo.getItem(r -> r.tableName(table).key(key(key)).consistentRead(true)).item();
        } catch (SdkException e) {
            throw new ReleaseThreadsException("reading thread " + key.describe() + " from table " + table + " failed: " + e.getMessage(), e);
        }
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(thread(key, item));
    }

    @Override
    public boolean save(StoredThread thread, long expectedVersion) {
        ReleaseThreads.requireNextVersion(thread, expectedVersion);
        Map<String, AttributeValue> item = item(thread);
        try {
            if (expectedVersion == 0) {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)));
            } else {
                dynamo.putItem(r -> r.tableName(table).item(item)
                        .conditionExpression("#version = :expected")
                        .expressionAttributeNames(Map.of("#version", "version"))
                        .expressionAttributeValues(Map.of(":expected", n(expectedVersion))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new ReleaseThreadsException("saving thread " + thread.key().describe() + " (version " + thread.version() + ") in table "
                    + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> key(ThreadKey key) {
        return Map.of(
                StateTable.PARTITION_KEY, s(PARTITION_PREFIX + key.kind() + "#" + key.name()),
                StateTable.SORT_KEY, s(key.id()));
    }

    private static Map<String, AttributeValue> item(StoredThread thread) {
        ThreadKey key = thread.key();
        Map<String, AttributeValue> item = new HashMap<>(key(key));
        item.put("kind", s(key.kind().name()));
        item.put("name", s(key.name()));
        item.put("threadId", s(key.id()));
        item.put("channel", s(thread.channel()));
        putText(item, "headlineTs", thread.headlineTs());
        if (thread.posting() != null) {
            item.put("postingMarker", s(thread.posting().id()));
            putInstant(item, "postingAt", thread.posting().at());
        }
        item.put("shownRevision", n(thread.shownRevision()));
        putText(item, "rejected", thread.rejected());
        putText(item, "leaseOwner", thread.leaseOwner());
        putInstant(item, "leaseUntil", thread.leaseUntil());
        item.put("version", n(thread.version()));
        putInstant(item, "updatedAt", thread.updatedAt());
        item.put("status", s(thread.state().status().name()));
        if (thread.updatedAt() != null) {
            // DynamoDB's TTL reads epoch seconds.
            item.put(TTL_ATTRIBUTE, n(thread.updatedAt().plus(RETENTION).getEpochSecond()));
        }
        try {
            item.put("state", s(JSON.writeValueAsString(thread.state())));
        } catch (JsonProcessingException e) {
            throw new ReleaseThreadsException("writing the story of thread " + key.describe() + " as JSON failed", e);
        }
        return item;
    }

    private StoredThread thread(ThreadKey key, Map<String, AttributeValue> item) {
        ReleaseThread state;
        try {
            state = JSON.readValue(text(item, "state"), ReleaseThread.class);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new ReleaseThreadsException("the story of thread " + key.describe() + " in table " + table + " cannot be read", e);
        }
        String postingMarker = text(item, "postingMarker");
        PostingMarker posting = postingMarker == null ? null : new PostingMarker(postingMarker, instant(item, "postingAt"));
        return new StoredThread(key, text(item, "channel"), text(item, "headlineTs"), posting, Long.parseLong(item.get("shownRevision").n()),
                text(item, "rejected"), text(item, "leaseOwner"), instant(item, "leaseUntil"), Long.parseLong(item.get("version").n()),
                instant(item, "updatedAt"), state);
    }
}
