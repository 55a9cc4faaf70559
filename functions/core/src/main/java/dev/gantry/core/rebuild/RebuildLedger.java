package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable rebuild records and the bounded pool of build slots they share.
 *
 * <p>A rebuild holds a slot exactly while it is {@link RebuildStatus#STARTING} or {@link RebuildStatus#STARTED}, and
 * the ledger keeps it so: a rebuild enters that state only through {@link #takeSlot}, which writes the record and
 * takes the slot in one conditional step, and leaves it only through {@link #releaseSlot}, which frees the slot in
 * the same step. So no crash can leak a slot or run one build more than the limit, and a starting rebuild whose
 * invocation died keeps its slot until another takes its lease over ({@link #stalled}) and starts it.
 *
 * <p>Every change is conditional on the version read: a record is created only where none exists and replaced only
 * from {@code updated.version() - 1}; a failed condition answers false and the caller reads the winner's record.
 * The DynamoDB ledger's item layout (a run per base digest, the pool of slot holders in one item whose size the
 * slot condition checks, slot moves as transactions, each dependent's newest rebuild) is decision 12.
 *
 * <p>Implementations translate their own failures into {@link RebuildLedgerException}.
 */
public interface RebuildLedger {

    /**
     * Stores a new {@link RebuildStatus#PENDING} rebuild and, in the same step, makes it its dependent's {@link #newest}
     * unless one planned later ({@link Rebuild#PLANNING_ORDER}) is recorded already.
     *
     * @return false when its key exists already (left as it was, and the newest left as it was)
     */
    boolean enqueue(Rebuild pending);

    /**
     * The key of the rebuild of {@code dependent} planned last ({@link Rebuild#PLANNING_ORDER}), on any digest and
     * occasion and whatever its status: the one every other rebuild of the dependent is measured against when it is
     * about to start, and when its image is pushed. Empty when none was enqueued.
     */
    Optional<RebuildKey> newest(String dependent);

    Optional<Rebuild> find(RebuildKey key);

    /** The rebuilds of {@code dependent} on {@code baseDigest}, on every occasion, oldest first. */
    List<Rebuild> find(String dependent, ImageDigest baseDigest);

    /** The rebuild whose build (or pipeline execution) is {@code buildId}. */
    Optional<Rebuild> findByBuildId(String buildId);

    /**
     * Replaces the stored record from {@code updated.version() - 1}, for changes that neither take nor free a slot
     * (STARTING to STARTED, a stalled STARTING taken over, PENDING to FAILED, BLOCKED or SUPERSEDED).
     *
     * @return false when another writer changed it first
     * @throws IllegalArgumentException when the change would take or free a slot
     */
    boolean replace(Rebuild updated);

    /**
     * Writes {@code starting} (STARTING, leased) over the stored record, which must not hold a slot, if fewer than
     * {@code maxInFlight} rebuilds hold one.
     */
    SlotResult takeSlot(Rebuild starting, int maxInFlight);

    /**
     * Writes {@code settled} (not STARTING or STARTED) over the stored record, which holds a slot, and frees it.
     *
     * @return false when another writer changed the record first
     */
    boolean releaseSlot(Rebuild settled);

    /** Pending rebuilds of {@code run}, oldest first, at most {@code limit}. */
    List<Rebuild> pending(RunKey run, int limit);

    /** Pending rebuilds of every run, oldest first, at most {@code limit}: who gets a slot that came free. */
    List<Rebuild> pending(int limit);

    /** Rebuilds of {@code run} holding a slot. */
    List<Rebuild> inFlight(RunKey run);

    /** How many rebuilds hold a slot. */
    int inFlightCount();

    /** Starting rebuilds whose lease ran out before {@code now}, oldest first, at most {@code limit}. */
    List<Rebuild> stalled(Instant now, int limit);

    /** Every rebuild of {@code run}, in the order they were enqueued. */
    List<Rebuild> run(RunKey run);

    /** Remembers which base a child image was built on; the first answer for a child digest stays. */
    void recordLineage(ImageLineage lineage);

    Optional<ImageLineage> lineage(String repository, ImageDigest digest);

    /** The child images known to be built on {@code baseDigest} of {@code baseRepository}. */
    List<ImageLineage> builtOn(String baseRepository, ImageDigest baseDigest);

    /** The outcome of {@link #takeSlot}. */
    enum SlotResult {
        /** The record was written and holds a slot. */
        TAKEN,
        /** Every slot is held; nothing was written. */
        FULL,
        /** Another writer changed the record first; nothing was written. */
        CONFLICT
    }

    class RebuildLedgerException extends RuntimeException {
        public RebuildLedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
