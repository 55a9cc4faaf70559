package dev.gantry.testing;

import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Gate records in memory, with the same conditional writes as the DynamoDB store: create only where no
 * record exists, replace only from the version the record was read at.
 */
public final class InMemoryGateStore implements GateStore {

    /** Earliest first; records due at the same instant in a stable order, so a sweep's cut is repeatable. */
    private static final Comparator<GateRecord> DUE_ORDER = Comparator.comparing(GateRecord::dueAt)
            .thenComparing(r -> r.key().service())
            .thenComparing(r -> r.key().environment())
            .thenComparing(r -> r.key().digest().value());

    private final Map<ReleaseKey, GateRecord> records = new HashMap<>();

    @Override
    public synchronized Optional<GateRecord> find(ReleaseKey key) {
        return Optional.ofNullable(records.get(key));
    }

    @Override
    public synchronized boolean create(GateRecord record) {
        return records.putIfAbsent(record.key(), record) == null;
    }

    @Override
    public synchronized boolean replace(GateRecord updated) {
        GateRecord stored = records.get(updated.key());
        if (stored == null || stored.version() != updated.version() - 1) {
            return false;
        }
        records.put(updated.key(), updated);
        return true;
    }

    @Override
    public synchronized List<GateRecord> waiting(String service, String environment) {
        return records.values().stream()
                .filter(r -> r.key().service().equals(service) && r.key().environment().equals(environment))
                .filter(r -> r.status() == GateStatus.WAITING)
                .toList();
    }

    @Override
    public synchronized List<GateRecord> due(Instant now, int limit) {
        Objects.requireNonNull(now, "now");
        if (limit < 1) {
            throw new IllegalArgumentException("a sweep takes at least one record, not " + limit);
        }
        return records.values().stream()
                .filter(r -> r.dueAt() != null && !r.dueAt().isAfter(now))
                .sorted(DUE_ORDER)
                .limit(limit)
                .toList();
    }
}
