package dev.gantry.core.notify;

import dev.gantry.testing.InMemoryReleaseThreads;
import dev.gantry.testing.ReleaseThreadsContract;

class InMemoryReleaseThreadsTest extends ReleaseThreadsContract {

    @Override
    protected ReleaseThreads threads() {
        return new InMemoryReleaseThreads();
    }
}
