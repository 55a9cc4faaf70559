package dev.gantry.testing;

import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.chatops.AuditLog;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit log in memory: first write per id wins, as in the DynamoDB table. Tests can make the next write fail, or
 * run something just before it, as a request handled meanwhile would be.
 */
public final class InMemoryAuditLog implements AuditLog {

    private final Map<String, AuditEntry> entries = new LinkedHashMap<>();
    private RuntimeException nextFailure;
    private Runnable beforeNext;

    @Override
    public synchronized void record(AuditEntry entry) {
        if (beforeNext != null) {
            Runnable interleaved = beforeNext;
            beforeNext = null;
            interleaved.run();
        }
        if (nextFailure != null) {
            RuntimeException failure = nextFailure;
            nextFailure = null;
            throw failure;
        }
        entries.putIfAbsent(entry.id(), entry);
    }

    @Override
    public synchronized List<AuditEntry> entriesOn(LocalDate day, String service) {
        return entries.values().stream()
                .filter(e -> service.equals(e.service()) && LocalDate.ofInstant(e.at(), ZoneOffset.UTC).equals(day))
                .sorted(Comparator.comparing(AuditEntry::at).thenComparing(AuditEntry::id))
                .toList();
    }

    /** Runs {@code interleaved} once, at the start of the next write, before anything is stored. */
    public synchronized void beforeNextRecord(Runnable interleaved) {
        this.beforeNext = interleaved;
    }

    /** The next write throws {@code failure} and stores nothing. */
    public synchronized void failNextWith(RuntimeException failure) {
        this.nextFailure = failure;
    }

    /** Every stored entry, in the order first written. */
    public synchronized List<AuditEntry> entries() {
        return List.copyOf(new ArrayList<>(entries.values()));
    }
}
