package dev.gantry.testing;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Rebuild records in memory, with the DynamoDB ledger's conditions: create where none exists, replace from the
 * version read, a slot taken or freed in the same step as the record that holds it, and each dependent's newest
 * rebuild moved only forward, in the same step as the record's creation.
 */
public final class InMemoryRebuildLedger implements RebuildLedger {

    /** Oldest first; ties in a stable order, so which pending rebuild gets a slot is repeatable. */
    private static final Comparator<Rebuild> AGE = Comparator.comparing(Rebuild::createdAt)
            .thenComparing(r -> r.key().dependent())
            .thenComparing(r -> r.key().baseDigest().value())
            .thenComparing(r -> r.key().occasion());

    private final Map<RebuildKey, Rebuild> rebuilds = new LinkedHashMap<>();
    /** Each dependent's rebuild planned last, as enqueued. */
    private final Map<String, Rebuild> newest = new LinkedHashMap<>();
    private final Map<String, ImageLineage> lineageByImage = new LinkedHashMap<>();

    @Override
    public synchronized boolean enqueue(Rebuild pending) {
        if (pending.status() != RebuildStatus.PENDING || pending.version() != 0) {
            throw new IllegalArgumentException("a rebuild is enqueued PENDING at version 0, not " + pending.status() + " at "
                    + pending.version());
        }
        if (rebuilds.putIfAbsent(pending.key(), pending) != null) {
            return false;
        }
        newest.merge(pending.dependent(), pending, (known, added) -> Rebuild.PLANNING_ORDER.compare(added, known) > 0 ? added : known);
        return true;
    }

    @Override
    public synchronized Optional<RebuildKey> newest(String dependent) {
        return Optional.ofNullable(newest.get(dependent)).map(Rebuild::key);
    }

    @Override
    public synchronized Optional<Rebuild> find(RebuildKey key) {
        return Optional.ofNullable(rebuilds.get(key));
    }

    @Override
    public synchronized List<Rebuild> find(String dependent, ImageDigest baseDigest) {
        return select(r -> r.key().dependent().equals(dependent) && r.key().baseDigest().equals(baseDigest)).toList();
    }

    @Override
    public synchronized Optional<Rebuild> findByBuildId(String buildId) {
        return select(r -> buildId.equals(r.buildId())).findFirst();
    }

    @Override
    public synchronized boolean replace(Rebuild updated) {
        Rebuild stored = rebuilds.get(updated.key());
        // Only a change from the version it was read at can be misuse; a record changed since is a lost race.
        if (stored != null && stored.version() == updated.version() - 1 && stored.status().inFlight() != updated.status().inFlight()) {
            throw new IllegalArgumentException("from " + stored.status() + " to " + updated.status()
                    + " takes or frees a build slot: use takeSlot or releaseSlot");
        }
        return write(stored, updated);
    }

    @Override
    public synchronized SlotResult takeSlot(Rebuild starting, int maxInFlight) {
        if (starting.status() != RebuildStatus.STARTING) {
            throw new IllegalArgumentException("a slot is taken by a STARTING rebuild, not " + starting.status());
        }
        Rebuild stored = rebuilds.get(starting.key());
        if (stored == null || stored.version() != starting.version() - 1 || stored.status().inFlight()) {
            return SlotResult.CONFLICT;
        }
        if (inFlightCount() >= maxInFlight) {
            return SlotResult.FULL;
        }
        rebuilds.put(starting.key(), starting);
        return SlotResult.TAKEN;
    }

    @Override
    public synchronized boolean releaseSlot(Rebuild settled) {
        if (settled.status().inFlight()) {
            throw new IllegalArgumentException("releasing a slot settles the rebuild; " + settled.status() + " still holds one");
        }
        Rebuild stored = rebuilds.get(settled.key());
        return stored != null && stored.status().inFlight() && write(stored, settled);
    }

    private boolean write(Rebuild stored, Rebuild updated) {
        if (stored == null || stored.version() != updated.version() - 1) {
            return false;
        }
        rebuilds.put(updated.key(), updated);
        return true;
    }

    @Override
    public synchronized List<Rebuild> pending(RunKey run, int limit) {
        return select(r -> r.status() == RebuildStatus.PENDING && r.run().equals(run)).limit(limit).toList();
    }

    @Override
    public synchronized List<Rebuild> pending(int limit) {
        return select(r -> r.status() == RebuildStatus.PENDING).limit(limit).toList();
    }

    @Override
    public synchronized List<Rebuild> inFlight(RunKey run) {
        return select(r -> r.status().inFlight() && r.run().equals(run)).toList();
    }

    @Override
    public synchronized int inFlightCount() {
        return (int) rebuilds.values().stream().filter(r -> r.status().inFlight()).count();
    }

    @Override
    public synchronized List<Rebuild> stalled(Instant now, int limit) {
        return select(r -> r.isStalled(now)).limit(limit).toList();
    }

    @Override
    public synchronized List<Rebuild> run(RunKey run) {
        return select(r -> r.run().equals(run)).toList();
    }

    @Override
    public synchronized void recordLineage(ImageLineage lineage) {
        lineageByImage.putIfAbsent(lineage.repository() + "@" + lineage.digest().value(), lineage);
    }

    @Override
    public synchronized Optional<ImageLineage> lineage(String repository, ImageDigest digest) {
        return Optional.ofNullable(lineageByImage.get(repository + "@" + digest.value()));
    }

    @Override
    public synchronized List<ImageLineage> builtOn(String baseRepository, ImageDigest baseDigest) {
        return lineageByImage.values().stream()
                .filter(l -> l.baseRepository().equals(baseRepository) && l.baseDigest().equals(baseDigest))
                .toList();
    }

    /** Every record, oldest first: for assertions. */
    public synchronized List<Rebuild> all() {
        return select(r -> true).toList();
    }

    private Stream<Rebuild> select(Predicate<Rebuild> filter) {
        Objects.requireNonNull(filter);
        return rebuilds.values().stream().filter(filter).sorted(AGE).toList().stream();
    }
}
