package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateVerdict;
import org.junit.jupiter.api.Test;

/**
 * The benchmark measures the decisions of a real push, not a short cut: each whole push deploys staging and holds prod,
 * and the decisions alone answer exactly as the services did for that push.
 */
class DecisionCoreBenchmarkTest {

    @Test
    void eachOperationDeploysStagingAndHoldsProdAtItsGate() {
        DecisionCoreBenchmark benchmark = new DecisionCoreBenchmark();
        benchmark.setUp();

        DeployReport first = benchmark.imagePush();
        DeployReport second = benchmark.imagePush();

        for (DeployReport report : new DeployReport[] {first, second}) {
            assertThat(report.ignored()).as(report.reason()).isFalse();
            assertThat(report.outcomes()).extracting(DeployOutcome::environment, DeployOutcome::result).containsExactly(
                    org.assertj.core.groups.Tuple.tuple("staging", DeployOutcome.Result.DEPLOYED),
                    org.assertj.core.groups.Tuple.tuple("prod", DeployOutcome.Result.HELD));
            assertThat(report.outcomes().get(0).changes()).singleElement().asString().contains("@sha256:07348c117739");
            assertThat(report.outcomes().get(1).reason())
                    .contains("held at gate 'production'")
                    .contains("approvals: 0 of 2");
        }
    }

    @Test
    void theDecisionsAloneAnswerAsTheServicesDid() {
        DecisionCoreBenchmark benchmark = new DecisionCoreBenchmark();
        benchmark.setUp();

        DecisionCoreBenchmark.Decisions decisions = benchmark.decisions();
        DeployReport push = benchmark.imagePush();

        assertThat(decisions.release()).isTrue();
        assertThat(decisions.stagingChanges()).isEqualTo(push.outcomes().get(0).changes());
        assertThat(decisions.prodGate()).isEqualTo(benchmark.recordedProdGate());
        assertThat(decisions.prodGate().outcome()).isEqualTo(GateVerdict.Outcome.WAITING);
        assertThat(decisions.prodGate().checks()).extracting(GateEvaluation.CheckSummary::check)
                .containsExactly("alarms", "soak", "approvals", "freeze");
        assertThat(benchmark.decisions()).isEqualTo(decisions);
    }
}
