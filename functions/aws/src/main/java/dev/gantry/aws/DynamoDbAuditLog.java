package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.chatops.AuditLog;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
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
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * The ChatOps audit trail in Gantry's DynamoDB table (decision 15). Each entry is two items, written in one transaction:
 * <ul>
 *   <li>the record at {@code pk = AUDIT#<id>}, {@code sk = ENTRY}, conditional on {@code attribute_not_exists(pk)}: the
 *       guard that keeps the first write, because a retried request is answered at another instant and so would land
 *       elsewhere in the day's list;</li>
 *   <li>a copy at {@code pk = AUDIT_DAY#<yyyy-mm-dd>} (the UTC day of {@code at}),
 *       {@code sk = <service>#<at, nine fraction digits>#<id>}, with an empty service when the entry names none, so a
 *       day is one Query (sorted by time after reading) and a service's day one Query on the {@code <service>#} prefix,
 *       already in time order.</li>
 * </ul>
 * Attributes are the entry's fields by name, absent when null (an empty detail too); {@code at} is ISO-8601 text.
 * Entries have no {@code expiresAt}: auditors keep them, and Gantry never changes or deletes them.
 */
public final class DynamoDbAuditLog implements AuditLog {

    static final String RECORD_PREFIX = "AUDIT#";
    static final String RECORD_SORT_KEY = "ENTRY";
    static final String DAY_PREFIX = "AUDIT_DAY#";

    /** Attempts at a write that collided with another in flight on the same entry: a retried request racing its first try. */
    private static final int CONFLICT_ATTEMPTS = 5;


    private static final Comparator<AuditEntry> TIME_ORDER = Comparator.comparing(AuditEntry::at).thenComparing(AuditEntry::id);

    private final DynamoDbClient dynamo;
    private final String table;
    private final int pageSize;

    public DynamoDbAuditLog(DynamoDbClient dynamo, String table) {
        this(dynamo, table, 0);
    }

    /** @param pageSize items per page of a day's query; 0 for DynamoDB's own pages */
    DynamoDbAuditLog(DynamoDbClient dynamo, String table, int pageSize) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
        this.pageSize = pageSize;
    }

    @Override
    public void record(AuditEntry entry) {
        Map<String, AttributeValue> copy = new HashMap<>(item(entry));
        copy.put(StateTable.PARTITION_KEY, s(dayPartition(entry.at().atZone(ZoneOffset.UTC).toLocalDate())));
        copy.put(StateTable.SORT_KEY, s(daySortKey(entry)));
        List<TransactWriteItem> items = List.of(
                TransactWriteItem.builder().put(p -> p
                        .tableName(table)
                        .item(item(entry))
                        .conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)))
                        .build(),
                TransactWriteItem.builder().put(p -> p.tableName(table).item(copy)).build());
        // A refused condition means the entry was recorded before: the first write stands, and that is success.
        DynamoDbRequests.transact(dynamo, items, "recording audit entry " + entry.id() + " in table " + table, CONFLICT_ATTEMPTS,
                AuditLogException::new);
    }

    /** Every entry answered on {@code day} (UTC), oldest first. */
    public List<AuditEntry> entriesOn(LocalDate day) {
        return query(day, null, null, null).stream().sorted(TIME_ORDER).toList();
    }

    /** The entries about {@code service} answered on {@code day} (UTC), oldest first. */
    public List<AuditEntry> entriesOn(LocalDate day, String service) {
        Objects.requireNonNull(service, "service");
        // The prefix query is exact for names without '#', which service names cannot hold; the filter keeps it exact anyway.
        return query(day, service, null, null).stream().filter(e -> service.equals(e.service())).toList();
    }

    @Override
    public Optional<AuditEntry> find(String id) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(recordKey(id)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(entry(item));
        } catch (SdkException e) {
            throw new AuditLogException("reading audit entry " + id + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<AuditEntry> entriesBetween(String service, Instant from, Instant until) {
        Objects.requireNonNull(service, "service");
        List<AuditEntry> entries = new ArrayList<>();
        LocalDate last = LocalDate.ofInstant(until, ZoneOffset.UTC);
        for (LocalDate day = LocalDate.ofInstant(from, ZoneOffset.UTC); !day.isAfter(last); day = day.plusDays(1)) {
            query(day, service, from, until).stream().filter(e -> service.equals(e.service())).forEach(entries::add);
        }
        return entries;
    }

    /**
     * @param from with {@code until}, the sort-key range of the service's entries read, both included; null for the
     *     service's whole day
     */
    private List<AuditEntry> query(LocalDate day, String service, Instant from, Instant until) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", StateTable.PARTITION_KEY));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s(dayPartition(day))));
        String condition = "#pk = :pk";
        if (service != null && from != null) {
            names.put("#sk", StateTable.SORT_KEY);
            values.put(":from", s(service + "#" + StateTable.sortableInstant(from)));
            // An entry's key goes on with '#<id>' after its instant, so the nanosecond after until bounds those at until.
            values.put(":until", s(service + "#" + StateTable.sortableInstant(until.plusNanos(1))));
            condition += " AND #sk BETWEEN :from AND :until";
        } else if (service != null) {
            names.put("#sk", StateTable.SORT_KEY);
            values.put(":service", s(service + "#"));
            condition += " AND begins_with(#sk, :service)";
        }
        QueryRequest.Builder query = QueryRequest.builder()
                .tableName(table)
                .keyConditionExpression(condition)
                .expressionAttributeNames(names)
                .expressionAttributeValues(values)
                .consistentRead(true);
        if (pageSize > 0) {
            query.limit(pageSize);
        }
        try {
            List<AuditEntry> entries = new ArrayList<>();
            dynamo.queryPaginator(query.build()).items().forEach(item -> entries.add(entry(item)));
            return entries;
        } catch (SdkException e) {
            throw new AuditLogException("listing the audit entries of " + day + (service == null ? "" : " for " + service)
                    + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> recordKey(String id) {
        return Map.of(StateTable.PARTITION_KEY, s(RECORD_PREFIX + id), StateTable.SORT_KEY, s(RECORD_SORT_KEY));
    }

    static String dayPartition(LocalDate day) {
        return DAY_PREFIX + day;
    }

    static String daySortKey(AuditEntry entry) {
        return (entry.service() == null ? "" : entry.service()) + "#" + StateTable.sortableInstant(entry.at()) + "#" + entry.id();
    }

    private static Map<String, AttributeValue> item(AuditEntry entry) {
        Map<String, AttributeValue> item = new HashMap<>(recordKey(entry.id()));
        item.put("id", s(entry.id()));
        putInstant(item, "at", entry.at());
        putText(item, "teamId", entry.teamId());
        putText(item, "userId", entry.userId());
        putText(item, "userName", entry.userName());
        item.put("action", s(entry.action()));
        putText(item, "service", entry.service());
        putText(item, "environment", entry.environment());
        putText(item, "digest", entry.digest());
        putText(item, "subject", entry.subject());
        item.put("outcome", s(entry.outcome().name()));
        putText(item, "detail", entry.detail().isEmpty() ? null : entry.detail());
        return item;
    }

    private static AuditEntry entry(Map<String, AttributeValue> item) {
        return new AuditEntry(text(item, "id"), instant(item, "at"), text(item, "teamId"), text(item, "userId"), text(item, "userName"),
                text(item, "action"), text(item, "service"), text(item, "environment"), text(item, "digest"), text(item, "subject"),
                AuditEntry.Outcome.valueOf(text(item, "outcome")), text(item, "detail"));
    }
}
