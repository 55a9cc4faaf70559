package dev.gantry.core.rebuild;

import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.RebuildLedgerContract;

class InMemoryRebuildLedgerTest extends RebuildLedgerContract {

    @Override
    protected RebuildLedger ledger() {
        return new InMemoryRebuildLedger();
    }
}
