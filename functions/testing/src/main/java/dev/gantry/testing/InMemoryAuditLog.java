package dev.gantry.testing;

import dev.gantry.core.chatops.AuditEntry;
import dev.gantry.core.chatops.AuditLog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit log in memory: first write per id wins, as in the DynamoDB table. Tests can make the next write fail. */
public final class InMemoryAuditLog implements AuditLog {

    private final Map<String, AuditEntry> entries = new LinkedHashMap<>();
    private RuntimeException nextFailure;

    @Override
    public synchronized void record(AuditEntry entry) {
        if (nextFailure != null) {
            RuntimeException failure = nextFailure;
            nextFailure = null;
            throw failure;
        }
        entries.putIfAbsent(entry.id(), entry);
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
