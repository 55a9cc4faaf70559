package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.gate.GateVerdict.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckResultTest {

    private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");

    @Test
    void refusesAResultWithoutTheCheckName() {
        assertThatThrownBy(() -> CheckResult.pass(" ", List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a check result needs the check's name");
    }

    @Test
    void refusesAWaitWithoutANextLook() {
        assertThatThrownBy(() -> CheckResult.waitUntil("soak", "soaking", null, List.of()))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("nextLook");
    }

    @Test
    void keepsEvidenceAsItWasWhenRecorded() {
        // given
        List<String> evidence = new ArrayList<>(List.of("payments-api-5xx: OK"));
        CheckResult result = CheckResult.pass("alarms", evidence);

        // when
        evidence.add("added later");

        // then
        assertThat(result.evidence()).containsExactly("payments-api-5xx: OK");
    }

    @Test
    void readsMissingEvidenceAsNone() {
        assertThat(CheckResult.fail("alarms", "payments-api-5xx in ALARM", null).evidence()).isEmpty();
    }

    @Test
    void aVerdictHasANextLookExactlyWhenWaiting() {
        assertThatThrownBy(() -> new GateVerdict("production", Outcome.PASSED, "all checks passed", NOW, List.of(), GateState.INITIAL))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GateVerdict("production", Outcome.WAITING, "waiting", null, List.of(), GateState.INITIAL))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
