package dev.gantry.fn.releasegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.PrimingLoopback;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SnapStartPriming.Outcome;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.crac.Core;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SnapStart priming of the pipeline gate and the ECS lifecycle hook, as their wiring builds it from the environment,
 * against loopback AWS: reads alone before the snapshot, nothing after the restore, and an AWS that fails does not fail
 * the snapshot. The example configuration's production gate watches alarms and lets a Slack group approve, so the wiring
 * builds the CloudWatch client and the bot token's Secrets Manager client.
 */
class SnapStartPrimingIT {

    @RegisterExtension
    static final PrimingLoopback aws = new PrimingLoopback();

    @Test
    void primesThePipelineGateWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> ReleaseGateWiring.pipelineGate(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms");
    }

    @Test
    void primesTheLifecycleHookWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> ReleaseGateWiring.ecsHook(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms", "ECS DescribeServiceRevisions");
    }

    @Test
    void asksTheLifecycleHooksClientAboutARevisionOfAConfiguredServiceThatCannotExist() {
        aws.answering();

        ReleaseGateWiring.ecsHook(aws.environment()).priming().prime();

        assertThat(aws.requests("ECS DescribeServiceRevisions")).singleElement().satisfies(request -> assertThat(
                request.at("/serviceRevisionArns/0").asText())
                .isEqualTo("arn:aws:ecs:eu-west-1:111111111111:service-revision/staging/payments-api/0"));
    }

    @Test
    void primesEveryStepOfBothFunctionsWhenAwsAnswers() {
        for (Function<Map<String, String>, SnapStartPriming> wiring : bothFunctions()) {
            aws.answering();

            List<Outcome> outcomes = wiring.apply(aws.environment()).prime();

            assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
        }
    }

    @Test
    void takesTheSnapshotAnywayWhenAwsFails() throws Exception {
        for (Function<Map<String, String>, SnapStartPriming> wiring : bothFunctions()) {
            aws.failing();
            SnapStartPriming priming = wiring.apply(aws.environment());

            assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
            List<Outcome> outcomes = priming.prime();

            assertThat(outcomes).filteredOn(outcome -> !outcome.step().startsWith("read ") && !outcome.step().startsWith("HTTP ")
                    && !outcome.step().endsWith(PrimingCalls.REHEARSED) && !outcome.step().startsWith("classes "))
                    .noneMatch(Outcome::primed);
            // Rehearsals stop before sending, the HTTP exchange stays in this JVM, and the listed classes come from the
            // jar: AWS being down changes nothing for them.
            assertThat(outcomes).last().matches(Outcome::primed, "the listed classes loaded");
            assertThat(outcomes).filteredOn(outcome -> outcome.step().endsWith(PrimingCalls.REHEARSED)).isNotEmpty().allMatch(Outcome::primed);
            assertThat(outcomes).filteredOn(outcome -> outcome.step().startsWith("read ")).allMatch(Outcome::primed);
        }
    }

    private static void assertPrimesWithReadsOnly(Function<Map<String, String>, SnapStartPriming> wiring, String... reads) {
        aws.answering();
        SnapStartPriming priming = wiring.apply(aws.environment());

        priming.beforeCheckpoint(Core.getGlobalContext());

        // Only reads: no write to the table or the notify queue, no job result, and no read of the bot token, without
        // which no Slack call can be made.
        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
        assertThat(aws.stateTableItems()).isZero();

        priming.afterRestore(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
    }

    private static List<Function<Map<String, String>, SnapStartPriming>> bothFunctions() {
        return List.of(env -> ReleaseGateWiring.pipelineGate(env).priming(), env -> ReleaseGateWiring.ecsHook(env).priming());
    }
}
