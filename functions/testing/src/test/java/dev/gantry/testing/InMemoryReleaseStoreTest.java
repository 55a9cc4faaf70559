package dev.gantry.testing;

import dev.gantry.core.release.ReleaseStore;

class InMemoryReleaseStoreTest extends ReleaseStoreContract {

    @Override
    protected ReleaseStore store() {
        return new InMemoryReleaseStore();
    }
}
