package dev.gantry.core.gate;

import dev.gantry.core.release.ReleaseKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable gate records. Every change is a conditional write: a record is created only where none exists
 * and replaced only from the version it was read at, so two evaluations racing each other cannot both
 * decide, and the loser reads the winner's answer.
 *
 * <p>Implementations translate their own failures into {@link GateStoreException}.
 */
public interface GateStore {

    Optional<GateRecord> find(ReleaseKey key);

    /** Stores a new record. @return false when a record for its key exists already (it is left as it was) */
    boolean create(GateRecord record);

    /**
     * Replaces the stored record with {@code updated} if the stored one is still at
     * {@code updated.version() - 1}.
     *
     * @return false when another writer changed it first
     */
    boolean replace(GateRecord updated);

    /** The records of one service environment still {@link GateStatus#WAITING}, in no particular order. */
    List<GateRecord> waiting(String service, String environment);

    /** Records whose {@link GateRecord#dueAt()} is at or before {@code now}, earliest first, at most {@code limit}. */
    List<GateRecord> due(Instant now, int limit);

    class GateStoreException extends RuntimeException {
        public GateStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
