package dev.gantry.fn.ecsdeploy;

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
 * The SnapStart priming of this jar's four functions, as their wiring builds it from the environment, against loopback
 * AWS: what goes over the wire before the snapshot is reads alone, nothing after the restore, and an AWS that fails
 * does not fail the snapshot. The example configuration reaches its services through one ECS client and gates on alarms;
 * its approver groups make the wiring build the Slack bot token's Secrets Manager client, so a read of it would show.
 */
class SnapStartPrimingIT {

    @RegisterExtension
    static final PrimingLoopback aws = new PrimingLoopback();

    @Test
    void primesTheDeployFunctionWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> EcsDeployWiring.fromEnvironment(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms", "ECS DescribeServices");
    }

    @Test
    void primesThePipelineDeployFunctionWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> PipelineDeployWiring.fromEnvironment(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms", "ECS DescribeServices");
    }

    @Test
    void primesTheRolloutFunctionWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> RolloutWiring.fromEnvironment(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "ECS DescribeServices");
    }

    @Test
    void primesTheGateSweepWithReadsOnly() {
        assertPrimesWithReadsOnly(env -> GateSweepWiring.fromEnvironment(env).priming(),
                "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms", "ECS DescribeServices");
    }

    @Test
    void describesTheFirstConfiguredServiceOfEachClient() {
        aws.answering();

        EcsDeployWiring.fromEnvironment(aws.environment()).priming().prime();

        assertThat(aws.requests("ECS DescribeServices")).singleElement().satisfies(request -> {
            assertThat(request.at("/cluster").asText()).isEqualTo("staging");
            assertThat(request.at("/services/0").asText()).isEqualTo("payments-api");
        });
    }

    @Test
    void primesEveryStepOfEachFunctionWhenAwsAnswers() {
        for (Function<Map<String, String>, SnapStartPriming> wiring : everyFunction()) {
            aws.answering();

            List<Outcome> outcomes = wiring.apply(aws.environment()).prime();

            assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
            assertThat(outcomes).extracting(Outcome::step).anyMatch(step -> step.startsWith("DynamoDB"));
        }
    }

    @Test
    void takesTheSnapshotAnywayWhenAwsFails() throws Exception {
        for (Function<Map<String, String>, SnapStartPriming> wiring : everyFunction()) {
            aws.failing();
            SnapStartPriming priming = wiring.apply(aws.environment());

            assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
            List<Outcome> outcomes = priming.prime();

            assertThat(outcomes).filteredOn(outcome -> outcome.step().startsWith("DynamoDB") && !outcome.step().endsWith(PrimingCalls.REHEARSED))
                    .isNotEmpty().noneMatch(Outcome::primed);
            // Rehearsals stop before sending, so AWS being down changes nothing for them.
            assertThat(outcomes).filteredOn(outcome -> outcome.step().endsWith(PrimingCalls.REHEARSED)).isNotEmpty().allMatch(Outcome::primed);
            assertThat(outcomes).filteredOn(outcome -> outcome.step().startsWith("read ")).allMatch(Outcome::primed);
            assertThat(aws.operations()).doesNotContain("SQS SendMessage", "Secrets Manager GetSecretValue");
        }
    }

    private static void assertPrimesWithReadsOnly(Function<Map<String, String>, SnapStartPriming> wiring, String... reads) {
        aws.answering();
        SnapStartPriming priming = wiring.apply(aws.environment());

        priming.beforeCheckpoint(Core.getGlobalContext());

        // Only reads: no write to the table or the notify queue, and no read of the bot token, without which no Slack call
        // can be made.
        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
        assertThat(aws.stateTableItems()).isZero();

        priming.afterRestore(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
    }

    private static List<Function<Map<String, String>, SnapStartPriming>> everyFunction() {
        return List.of(
                env -> EcsDeployWiring.fromEnvironment(env).priming(),
                env -> PipelineDeployWiring.fromEnvironment(env).priming(),
                env -> RolloutWiring.fromEnvironment(env).priming(),
                env -> GateSweepWiring.fromEnvironment(env).priming());
    }
}
