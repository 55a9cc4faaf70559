package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class GateEvaluationTest {

    @Test
    void keepsABoundedPartOfAHugeCheckSoTheRecordStaysWithinDynamoDbsItemLimit() {
        List<String> evidence = IntStream.range(0, 300).mapToObj(i -> "alarm payments-" + i + ": ALARM (" + "x".repeat(400) + ")").toList();
        GateVerdict verdict = new GateVerdict("production", GateVerdict.Outcome.FAILED, "in ALARM: many", null,
                List.of(CheckResult.fail("alarms", "in ALARM: " + "y".repeat(1000), evidence)), GateState.INITIAL);

        GateEvaluation.CheckSummary kept = GateEvaluation.of(verdict, Instant.parse("2026-11-23T10:00:00Z")).checks().getFirst();

        assertThat(kept.evidence()).hasSize(GateEvaluation.CheckSummary.MAX_EVIDENCE_LINES + 1);
        assertThat(kept.evidence().getLast()).isEqualTo("... and 275 more lines");
        assertThat(kept.evidence()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(GateEvaluation.CheckSummary.MAX_LINE_LENGTH));
        assertThat(kept.reason()).hasSize(GateEvaluation.CheckSummary.MAX_LINE_LENGTH).endsWith("…");
    }
}
