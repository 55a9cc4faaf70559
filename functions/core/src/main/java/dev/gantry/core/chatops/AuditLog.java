package dev.gantry.core.chatops;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

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
     * The entry recorded under {@code id}. DynamoDB: one consistent GetItem.
     *
     * @return empty when none was
     */
    Optional<AuditEntry> find(String id);

    /**
     * The entries about {@code service} answered from {@code from} to {@code until}, both included, oldest first.
     * DynamoDB: one Query per UTC day the range touches, on the day's partition and the sort-key range
     * {@code <service>#<from>} to {@code <service>#<until>}: the cost follows the range, not the day.
     */
    List<AuditEntry> entriesBetween(String service, Instant from, Instant until);

    class AuditLogException extends RuntimeException {
        public AuditLogException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
