package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.PrimingLoopback;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SnapStartPriming.Outcome;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The rebuild function's SnapStart priming, as its wiring builds it from the environment, against loopback AWS: reads
 * alone before the snapshot (no build started, nothing told), nothing after the restore, and an AWS that fails does not
 * fail the snapshot.
 */
class SnapStartPrimingIT {

    private static final String REGISTRY_ACCOUNT = "111111111111";

    @RegisterExtension
    static final PrimingLoopback aws = new PrimingLoopback();

    @Test
    void primesWithReadsOnly() {
        aws.answering();
        SnapStartPriming priming = ImageRebuildWiring.fromEnvironment(environment()).priming();

        priming.beforeCheckpoint(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder("DynamoDB GetItem", "DynamoDB Query", "ECR DescribeImages");
        assertThat(aws.stateTableItems()).isZero();

        priming.afterRestore(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder("DynamoDB GetItem", "DynamoDB Query", "ECR DescribeImages");
    }

    @Test
    void readsOneImageOfTheFirstBaseInTheRegistryAccount() {
        aws.answering();

        ImageRebuildWiring.fromEnvironment(environment()).priming().prime();

        assertThat(aws.requests("ECR DescribeImages")).singleElement().satisfies(request -> {
            assertThat(request.at("/registryId").asText()).isEqualTo(REGISTRY_ACCOUNT);
            assertThat(request.at("/repositoryName").asText()).isEqualTo("golden/java21");
            assertThat(request.at("/maxResults").asInt()).isEqualTo(1);
        });
    }

    @Test
    void primesEveryStepWhenAwsAnswers() {
        aws.answering();

        List<Outcome> outcomes = ImageRebuildWiring.fromEnvironment(environment()).priming().prime();

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
    }

    @Test
    void takesTheSnapshotAnywayWhenAwsFails() throws Exception {
        aws.failing();
        SnapStartPriming priming = ImageRebuildWiring.fromEnvironment(environment()).priming();

        assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
        List<Outcome> outcomes = priming.prime();

        assertThat(outcomes).filteredOn(outcome -> !outcome.step().startsWith("read ") && !outcome.step().endsWith(PrimingCalls.REHEARSED)
                && !outcome.step().startsWith("classes ")).noneMatch(Outcome::primed);
        // Rehearsals stop before sending, and the listed classes come from the jar: AWS being down changes nothing for them.
        assertThat(outcomes).last().matches(Outcome::primed, "the listed classes loaded");
        assertThat(outcomes).filteredOn(outcome -> outcome.step().endsWith(PrimingCalls.REHEARSED)).isNotEmpty().allMatch(Outcome::primed);
        assertThat(outcomes).filteredOn(outcome -> outcome.step().startsWith("read ")).hasSize(6).allMatch(Outcome::primed);
    }

    private static Map<String, String> environment() {
        Map<String, String> environment = aws.environment();
        environment.put(ImageRebuildWiring.REGISTRY_ACCOUNT_ENV, REGISTRY_ACCOUNT);
        return environment;
    }
}
