package dev.gantry.core.chatops;

import java.time.LocalDate;
import java.util.List;

/**
 * Where every decision and every change asked for in Slack is kept for auditors, refusals included.
 *
 * <p>Contract: {@link #record} stores the entry under {@link AuditEntry#id()}, first write wins (DynamoDB: a put
 * conditional on {@code attribute_not_exists(pk)}; a failed condition is success, not an error), so a request that is
 * retried after it was recorded is recorded once. Entries are never changed or deleted by Gantry. Implementations
 * translate their own failures into {@link AuditLogException}; ChatOps lets it fail the request, so nothing is
 * reported done without its entry (the request's ledger claim is then given up, and a retry records it).
 */
public interface AuditLog {

    void record(AuditEntry entry);

    /**
     * The entries about {@code service} answered on {@code day} (UTC, by {@link AuditEntry#at()}), oldest first.
     * DynamoDB: one Query on the day's partition and the service's prefix.
     */
    List<AuditEntry> entriesOn(LocalDate day, String service);

    class AuditLogException extends RuntimeException {
        public AuditLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
