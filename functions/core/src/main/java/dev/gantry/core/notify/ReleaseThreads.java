package dev.gantry.core.notify;

import java.util.Optional;

/**
 * Durable release threads. Every save is conditional on the version the caller read, so two notifiers working on one
 * thread cannot overwrite each other's news: the loser reads the winner's thread and applies its news again.
 *
 * <p>Implementations translate their own failures into {@link ReleaseThreadsException}. The DynamoDB store keeps a
 * thread for 90 days after its last save.
 */
public interface ReleaseThreads {

    Optional<StoredThread> find(ThreadKey key);

    /**
     * Stores {@code thread} if the stored one is still at {@code expectedVersion} (0: none is stored).
     *
     * @return false when another writer changed it first (it is left as that writer stored it)
     * @throws IllegalArgumentException when {@code thread.version()} is not {@code expectedVersion + 1}
     */
    boolean save(StoredThread thread, long expectedVersion);

    /** The store could not be reached, or refused a write for a reason other than a lost race. */
    class ReleaseThreadsException extends RuntimeException {
        public ReleaseThreadsException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The check every store makes before writing. */
    static void requireNextVersion(StoredThread thread, long expectedVersion) {
        if (thread.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("thread " + thread.key().describe() + " saved from version " + expectedVersion
                    + " must be version " + (expectedVersion + 1) + ", not " + thread.version());
        }
    }
}
