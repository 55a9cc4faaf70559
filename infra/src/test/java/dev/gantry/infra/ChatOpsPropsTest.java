package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.chatops.ChatOpsService;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChatOpsPropsTest {

    @Test
    void theWorkersLongestRunEndsInsideTheReleaseLeaseAndWellInsideTheAuditBackfillGrace() {
        Duration longestRun = Duration.ofSeconds(ChatOpsProps.MAX_TIMEOUT_SECONDS);

        assertThat(ChatOpsProps.MAX_TIMEOUT_SECONDS).isLessThanOrEqualTo(EcsDeployAutomationProps.MAX_TIMEOUT_SECONDS);
        assertThat(ChatOpsService.AUDIT_BACKFILL_GRACE).isGreaterThanOrEqualTo(longestRun.multipliedBy(2));
    }
}
