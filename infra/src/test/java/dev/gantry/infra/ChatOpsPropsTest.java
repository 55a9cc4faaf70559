package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @Test
    void theShortestWorkerTimeoutLeavesAClicksLastDeliveryAfterTheAuditBackfillGrace() {
        assertThat(lastDeliveryAfterDecision(ChatOpsProps.MIN_TIMEOUT_SECONDS)).isGreaterThan(ChatOpsService.AUDIT_BACKFILL_GRACE);
        assertThat(lastDeliveryAfterDecision(ChatOpsProps.MIN_TIMEOUT_SECONDS - 1))
                .isLessThanOrEqualTo(ChatOpsService.AUDIT_BACKFILL_GRACE);
        assertThat(ChatOpsProps.MIN_TIMEOUT_SECONDS).isLessThanOrEqualTo(GantryFunctionProps.DEFAULT_TIMEOUT_SECONDS);
    }

    @Test
    void refusesAWorkerTimeoutWhoseRedeliveriesAllFallInsideTheAuditBackfillGrace() {
        assertThatThrownBy(() -> ChatOpsProps.builder().timeout(software.amazon.awscdk.Duration.seconds(ChatOpsProps.MIN_TIMEOUT_SECONDS - 1))
                .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout must be at least " + ChatOpsProps.MIN_TIMEOUT_SECONDS + " seconds")
                .hasMessageContaining("AUDIT_BACKFILL_GRACE");
    }

    /**
     * The latest a click's decision can be recorded is the end of its first delivery's run; its last delivery comes
     * {@code receives - 1} visibility timeouts after the first.
     */
    private static Duration lastDeliveryAfterDecision(int timeoutSeconds) {
        Duration visibility = Duration.ofSeconds((long) timeoutSeconds * ChatOps.VISIBILITY_TIMEOUTS_PER_FUNCTION_TIMEOUT);
        return visibility.multipliedBy(ChatOps.REQUEST_MAX_RECEIVES - 1).minusSeconds(timeoutSeconds);
    }
}
