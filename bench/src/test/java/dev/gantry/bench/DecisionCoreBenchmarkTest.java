package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import org.junit.jupiter.api.Test;

/** The benchmark measures the decisions of a real push, not a short cut: each operation deploys staging and holds prod. */
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
}
