package dev.gantry.testing;

import dev.gantry.core.gate.GateStore;

class InMemoryGateStoreTest extends GateStoreContract {

    @Override
    protected GateStore store() {
        return new InMemoryGateStore();
    }
}
