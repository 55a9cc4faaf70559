package dev.gantry.testing;

import dev.gantry.core.pipeline.JobLedger;

/** The job-ledger contract against the in-memory fake the pipeline service tests use. */
class InMemoryJobLedgerTest extends JobLedgerContract {

    @Override
    protected JobLedger ledger() {
        return new InMemoryJobLedger();
    }
}
