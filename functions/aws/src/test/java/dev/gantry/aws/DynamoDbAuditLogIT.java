package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbLocal.freshTable;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.chatops.AuditEntry.Outcome;
import dev.gantry.core.chatops.AuditLog.AuditLogException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** The ChatOps audit log against DynamoDB Local: first write wins, and a day's entries list by service in time order. */
class DynamoDbAuditLogIT {

    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final LocalDate DAY = LocalDate.parse("2026-11-23");
    private static final String DIGEST = "sha256:" + "a1".repeat(32);

    /** One item a page, so that a day's entries cross page boundaries as a busy day's would. */
    private static final int PAGE_SIZE = 1;

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    @Test
    void recordsTheEntryUnderItsIdAndInItsServicesDay() {
        String table = freshTable();
        AuditEntry deploy = new AuditEntry("command#T1#trigger-1", Instant.parse("2026-11-23T10:00:00.5Z"), "T1", "U012ALICE", "alice",
                "deploy", "payments-api", "staging", DIGEST, "1.4.0", Outcome.DONE, "deploying payments-api 1.4.0 to staging");

        new DynamoDbAuditLog(dynamo, table).record(deploy);

        Map<String, AttributeValue> record = rawItem(table, "AUDIT#command#T1#trigger-1", "ENTRY");
        assertThat(record.get("id").s()).isEqualTo("command#T1#trigger-1");
        assertThat(record.get("at").s()).isEqualTo("2026-11-23T10:00:00.500Z");
        assertThat(record.get("teamId").s()).isEqualTo("T1");
        assertThat(record.get("userId").s()).isEqualTo("U012ALICE");
        assertThat(record.get("userName").s()).isEqualTo("alice");
        assertThat(record.get("action").s()).isEqualTo("deploy");
        assertThat(record.get("service").s()).isEqualTo("payments-api");
        assertThat(record.get("environment").s()).isEqualTo("staging");
        assertThat(record.get("digest").s()).isEqualTo(DIGEST);
        assertThat(record.get("subject").s()).isEqualTo("1.4.0");
        assertThat(record.get("outcome").s()).isEqualTo("DONE");
        assertThat(record.get("detail").s()).isEqualTo("deploying payments-api 1.4.0 to staging");
        assertThat(record).doesNotContainKey("expiresAt");
        Map<String, AttributeValue> listed = rawItem(table, "AUDIT_DAY#2026-11-23",
                "payments-api#2026-11-23T10:00:00.500000000Z#command#T1#trigger-1");
        assertThat(listed.get("userId").s()).isEqualTo("U012ALICE");
        assertThat(listed.get("detail").s()).isEqualTo("deploying payments-api 1.4.0 to staging");
    }

    @Test
    void readsBackEveryFieldAndLeavesAbsentOnesAbsent() {
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, freshTable());
        AuditEntry full = new AuditEntry("click#pa_1#U1", T0, "T1", "U1", "alice", "approve", "payments-api", "prod", DIGEST,
                "MyFirstPipeline/MyApprovalStage/MyApprovalAction", Outcome.FAILED, "CodePipeline did not answer");
        AuditEntry sparse = new AuditEntry("refused#trigger-2", T0.plusSeconds(1), null, null, null, "rebuild", null, null, null, null,
                Outcome.REFUSED, "");

        log.record(full);
        log.record(sparse);

        assertThat(log.entriesOn(DAY)).containsExactly(full, sparse);
    }

    @Test
    void keepsTheFirstWriteOfARetriedRequest() {
        String table = freshTable();
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, table);
        AuditEntry first = entry("command#T1#trigger-3", "payments-api", T0, Outcome.DONE, "deploying payments-api 1.4.0 to staging");
        AuditEntry retried = entry("command#T1#trigger-3", "payments-api", T0.plusSeconds(4), Outcome.FAILED, "ECS did not answer");

        log.record(first);
        log.record(retried);

        assertThat(log.entriesOn(DAY)).containsExactly(first);
        assertThat(rawItem(table, "AUDIT_DAY#2026-11-23", DynamoDbAuditLog.daySortKey(retried))).isEmpty();
    }

    @Test
    void listsOneServicesDayOldestFirstAcrossPages() {
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, freshTable(), PAGE_SIZE);
        AuditEntry late = entry("command#T1#a", "payments-api", T0.plusSeconds(30), Outcome.DONE, "rolled back");
        AuditEntry early = entry("command#T1#b", "payments-api", T0.plusNanos(1), Outcome.REFUSED, "not permitted");
        AuditEntry middle = entry("command#T1#c", "payments-api", T0.plusSeconds(2), Outcome.DONE, "pinned");
        AuditEntry otherService = entry("command#T1#d", "payments", T0.plusSeconds(1), Outcome.DONE, "deployed");
        AuditEntry noService = entry("command#T1#e", null, T0.plusSeconds(3), Outcome.DONE, "froze prod");
        AuditEntry nextDay = entry("command#T1#f", "payments-api", Instant.parse("2026-11-24T00:00:00Z"), Outcome.DONE, "vetoed");
        List.of(late, early, middle, otherService, noService, nextDay).forEach(log::record);

        assertThat(log.entriesOn(DAY, "payments-api")).containsExactly(early, middle, late);
        assertThat(log.entriesOn(DAY, "payments")).containsExactly(otherService);
        assertThat(log.entriesOn(DAY)).containsExactly(early, otherService, middle, noService, late);
        assertThat(log.entriesOn(DAY.plusDays(1))).containsExactly(nextDay);
    }

    @Test
    void listsAServicesEntriesBetweenTwoInstantsAcrossMidnightBothIncluded() {
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, freshTable(), PAGE_SIZE);
        Instant from = Instant.parse("2026-11-23T23:59:00Z");
        Instant until = from.plusSeconds(150);
        AuditEntry before = entry("command#T1#h", "payments-api", from.minusNanos(1), Outcome.DONE, "");
        AuditEntry atFrom = entry("command#T1#i", "payments-api", from, Outcome.DONE, "");
        AuditEntry afterMidnight = entry("command#T1#j", "payments-api", Instant.parse("2026-11-24T00:00:10Z"), Outcome.DONE, "");
        AuditEntry atUntil = entry("command#T1#k", "payments-api", until, Outcome.DONE, "");
        AuditEntry after = entry("command#T1#l", "payments-api", until.plusNanos(1), Outcome.DONE, "");
        AuditEntry otherService = entry("command#T1#m", "payments-api-v2", from.plusSeconds(1), Outcome.DONE, "");
        List.of(before, atFrom, afterMidnight, atUntil, after, otherService).forEach(log::record);

        assertThat(log.entriesBetween("payments-api", from, until)).containsExactly(atFrom, afterMidnight, atUntil);
    }

    @Test
    void findsAnEntryByItsId() {
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, freshTable());
        AuditEntry entry = entry("decision#payments-api#prod#x#U1#APPROVE@" + T0, "payments-api", T0, Outcome.DONE, "approved");
        log.record(entry);

        assertThat(log.find(entry.id())).contains(entry);
        assertThat(log.find("decision#payments-api#prod#x#U2#APPROVE@" + T0)).isEmpty();
    }

    @Test
    void filesAnEntryUnderTheUtcDayOfItsAnswer() {
        DynamoDbAuditLog log = new DynamoDbAuditLog(dynamo, freshTable());
        AuditEntry lastNanosecond = entry("command#T1#g", "payments-api", Instant.parse("2026-11-23T23:59:59.999999999Z"), Outcome.DONE, "");

        log.record(lastNanosecond);

        assertThat(log.entriesOn(DAY, "payments-api")).containsExactly(lastNanosecond);
        assertThat(log.entriesOn(DAY.plusDays(1))).isEmpty();
    }

    @Test
    void reportsAnUnreachableTableAsAnAuditFailureNamingTheEntry() throws Exception {
        try (DynamoDbClient unreachable = DynamoDbLocal.unreachableClient()
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            DynamoDbAuditLog log = new DynamoDbAuditLog(unreachable, "gantry-state");

            assertThatThrownBy(() -> log.record(entry("command#T1#x", "payments-api", T0, Outcome.DONE, "deployed")))
                    .isInstanceOf(AuditLogException.class)
                    .hasMessageStartingWith("recording audit entry command#T1#x in table gantry-state failed: ");
            assertThatThrownBy(() -> log.entriesOn(DAY, "payments-api"))
                    .isInstanceOf(AuditLogException.class)
                    .hasMessageStartingWith("listing the audit entries of 2026-11-23 for payments-api from table gantry-state failed: ");
        }
    }

    private static AuditEntry entry(String id, String service, Instant at, Outcome outcome, String detail) {
        return new AuditEntry(id, at, "T1", "U1", "alice", "deploy", service, service == null ? "prod" : "staging", null, null, outcome,
                detail);
    }

    private static Map<String, AttributeValue> rawItem(String table, String pk, String sk) {
        Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table)
                .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS(pk), StateTable.SORT_KEY, AttributeValue.fromS(sk)))
                .consistentRead(true)).item();
        return item == null ? Map.of() : item;
    }
}
