package dev.gantry.testing;

import dev.gantry.core.rebuild.LineageHistory;

/** The lineage-history contract against the in-memory fake the lineage report and rebuild service tests use. */
class InMemoryLineageHistoryTest extends LineageHistoryContract {

    @Override
    protected LineageHistory history() {
        return new InMemoryLineageHistory();
    }
}
