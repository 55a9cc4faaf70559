package dev.gantry.reliability.slack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.reliability.slack.ChatOpsLoopback.Delivery;
import dev.gantry.testing.ReliabilityFigures;
import java.util.ArrayList;
import java.util.List;

/**
 * What one test sent through Slack's way in and what came of it, judged request by request, recorded once and then
 * asserted: every forged request refused with no side effect, every valid one accepted.
 */
final class SecurityTally {

    static final String PART = "slack security";
    private static final int FAILURES_SHOWN = 25;

    private long forged;
    private long refused;
    private long sideEffects;
    private long valid;
    private long accepted;
    private final List<String> failures = new ArrayList<>();

    /**
     * A request that must not act.
     *
     * @param refusedAsExpected it was answered as its kind of refusal must be, with its reason
     * @param effects what it changed anyway
     */
    void forged(String what, Delivery delivery, boolean refusedAsExpected, int effects) {
        forged++;
        sideEffects += effects;
        if (refusedAsExpected) {
            refused++;
        }
        if (!refusedAsExpected || effects != 0) {
            failed("forged " + what + (refusedAsExpected ? "" : " not refused as expected") + (effects == 0 ? "" : ", " + effects
                    + " side effects") + ": " + delivery);
        }
    }

    /** A request that must act, once. */
    void valid(String what, Delivery delivery, boolean tookEffectOnce) {
        valid++;
        if (tookEffectOnce) {
            accepted++;
        } else {
            failed("valid " + what + " did not take effect once: " + delivery);
        }
    }

    private void failed(String failure) {
        if (failures.size() < FAILURES_SHOWN) {
            failures.add(failure);
        }
    }

    /** Adds this test's totals to the suite's figures, then asserts them. */
    void recordAndAssert() {
        ReliabilityFigures.add(PART, "requests forged", forged);
        ReliabilityFigures.add(PART, "requests refused", refused);
        ReliabilityFigures.add(PART, "side effects of refused requests", sideEffects);
        ReliabilityFigures.add(PART, "valid requests accepted", accepted);
        ReliabilityFigures.add(PART, ReliabilityFigures.LOST_EVENTS, valid - accepted);

        assertThat(failures).as("requests not answered as they must be (first %d)", FAILURES_SHOWN).isEmpty();
        assertThat(forged).as("requests forged").isPositive();
        assertThat(refused).as("requests refused").isEqualTo(forged);
        assertThat(sideEffects).as("side effects of refused requests").isZero();
        assertThat(valid).as("valid requests sent").isPositive();
        assertThat(accepted).as("valid requests accepted").isEqualTo(valid);
    }
}
