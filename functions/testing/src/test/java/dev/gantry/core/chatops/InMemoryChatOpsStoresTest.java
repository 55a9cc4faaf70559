package dev.gantry.core.chatops;

import dev.gantry.testing.ChatRequestLedgerContract;
import dev.gantry.testing.InMemoryChatRequestLedger;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.ManualFreezesContract;
import dev.gantry.testing.PendingApprovalsContract;
import org.junit.jupiter.api.Nested;

/** The ChatOps port contracts against the in-memory fakes the ChatOps tests use. */
class InMemoryChatOpsStoresTest {

    @Nested
    class Ledger extends ChatRequestLedgerContract {
        @Override
        protected ChatRequestLedger ledger() {
            return new InMemoryChatRequestLedger();
        }
    }

    @Nested
    class Approvals extends PendingApprovalsContract {
        @Override
        protected PendingApprovals approvals() {
            return new InMemoryPendingApprovals();
        }
    }

    @Nested
    class Freezes extends ManualFreezesContract {
        @Override
        protected ManualFreezes freezes() {
            return new InMemoryManualFreezes();
        }
    }
}
