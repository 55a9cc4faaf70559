package dev.gantry.testing;

import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.chatops.AuditLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The audit log in memory: first write per id wins, as in the DynamoDB table. Tests can make the next write fail, or
 * run something just before it, as a request handled meanwhile would be.
 */
public final class InMemoryAuditLog implements AuditLog {

    private final Map<String, AuditEntry> entries = new LinkedHashMap<>();
    private RuntimeException nextFailure;
    private Runnable beforeNext;
    private final List<String> listings = new ArrayList<>();

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
    public synchronized Optional<AuditEntry> find(String id) {
        return Optional.ofNullable(entries.get(id));
    }

    @Override
    public synchronized List<AuditEntry> entriesBetween(String service, Instant from, Instant until) {
        listings.add(service + " between " + from + " and " + until);
        return entries.values().stream()
                .filter(e -> service.equals(e.service()) && !e.at().isBefore(from) && !e.at().isAfter(until))
                .sorted(Comparator.comparing(AuditEntry::at).thenComparing(AuditEntry::id))
                .toList();
    }

    /** Every listing asked for, in order, as {@code <service> between <from> and <until>}: what a test checks reads against. */
    public synchronized List<String> listings() {
        return List.copyOf(listings);
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
