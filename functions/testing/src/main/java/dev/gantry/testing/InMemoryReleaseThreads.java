package dev.gantry.testing;

import dev.gantry.core.notify.ReleaseThreads;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.notify.ThreadKey;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Release threads in memory, with the same conditional save as the DynamoDB store: only from the version read. */
public final class InMemoryReleaseThreads implements ReleaseThreads {

    private final Map<ThreadKey, StoredThread> threads = new HashMap<>();
    private int saves;

    @Override
    public synchronized Optional<StoredThread> find(ThreadKey key) {
        return Optional.ofNullable(threads.get(key));
    }

    @Override
    public synchronized boolean save(StoredThread thread, long expectedVersion) {
        ReleaseThreads.requireNextVersion(thread, expectedVersion);
        StoredThread stored = threads.get(thread.key());
        long storedVersion = stored == null ? 0 : stored.version();
        if (storedVersion != expectedVersion) {
            return false;
        }
        threads.put(thread.key(), thread);
        saves++;
        return true;
    }

    /** Successful saves so far: a duplicate that changes nothing must not write. */
    public synchronized int saves() {
        return saves;
    }
}
