package dev.gantry.fn.chatops;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.PrimingLoopback;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SnapStartPriming.Outcome;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.crac.Core;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SnapStart priming of the ChatOps worker and notify functions against loopback AWS and a loopback Slack: reads
 * only, and nothing else happens; no Slack call, no read of the bot token, no message sent, nothing written. The
 * worker's commands' writes (ECS, the notify queue, rebuild starts) are rehearsed and stopped before sending.
 */
class ChatOpsPrimingIT {

    private static final WireMockServer SLACK = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    @RegisterExtension
    static final PrimingLoopback aws = new PrimingLoopback();

    @BeforeAll
    static void start() {
        SLACK.start();
    }

    @AfterAll
    static void stop() {
        SLACK.stop();
    }

    @Test
    void primesTheNotifyFunctionByReadingTheStateTableOnly() {
        assertPrimesWithReadsOnly(ChatOpsPriming::notify, "DynamoDB GetItem", "DynamoDB Query");
    }

    @Test
    void primesTheWorkerWithReadsOnly() {
        assertPrimesWithReadsOnly(ChatOpsPrimingIT::worker, "DynamoDB GetItem", "DynamoDB Query", "CloudWatch DescribeAlarms",
                "ECS DescribeServices");
    }

    @Test
    void rehearsesWhatTheWorkersCommandsWrite() {
        aws.answering();

        List<Outcome> outcomes = worker(ChatOpsWiring.fromEnvironment(environment())).prime();

        assertThat(outcomes).filteredOn(outcome -> outcome.step().endsWith(PrimingCalls.REHEARSED)).extracting(Outcome::step)
                .anyMatch(step -> step.startsWith("ECS DescribeTaskDefinition, RegisterTaskDefinition, UpdateService"))
                .anyMatch(step -> step.startsWith("ECR DescribeImages of a tag"))
                .anyMatch(step -> step.startsWith("SQS SendMessage"))
                .anyMatch(step -> step.startsWith("CodeBuild StartBuild"));
        assertThat(aws.operations()).doesNotContain("ECS RegisterTaskDefinition", "ECS UpdateService", "ECR DescribeImages",
                "SQS SendMessage", "CodeBuild StartBuild");
    }

    @Test
    void neitherFunctionCallsSlackOrReadsTheBotToken() {
        for (Function<ChatOpsWiring, SnapStartPriming> function : bothFunctions()) {
            aws.answering();
            SLACK.resetAll();
            AtomicInteger tokenReads = new AtomicInteger();
            AwsClients clients = new AwsClients(environment());
            SlackWebApi slack = new SlackWebApi(() -> {
                tokenReads.incrementAndGet();
                return "test-bot-token-not-real";
            }, URI.create(SLACK.baseUrl()), new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ofMillis(1), Duration.ofMillis(1),
                    Duration.ofSeconds(2)), duration -> { });
            ChatOpsWiring wiring = new ChatOpsWiring(Fixtures.exampleConfig(), clients.dynamoDb(), PrimingLoopback.TABLE, slack,
                    Clock.systemUTC(), clients);
            SnapStartPriming priming = function.apply(wiring);

            priming.beforeCheckpoint(Core.getGlobalContext());
            priming.afterRestore(Core.getGlobalContext());

            assertThat(SLACK.getAllServeEvents()).isEmpty();
            assertThat(tokenReads).hasValue(0);
        }
    }

    @Test
    void primesEveryStepOfBothFunctionsWhenAwsAnswers() {
        for (Function<ChatOpsWiring, SnapStartPriming> function : bothFunctions()) {
            aws.answering();

            List<Outcome> outcomes = function.apply(ChatOpsWiring.fromEnvironment(environment())).prime();

            assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
        }
    }

    @Test
    void takesTheSnapshotAnywayWhenAwsFails() throws Exception {
        for (Function<ChatOpsWiring, SnapStartPriming> function : bothFunctions()) {
            aws.failing();
            SnapStartPriming priming = function.apply(ChatOpsWiring.fromEnvironment(environment()));

            assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
            List<Outcome> outcomes = priming.prime();

            // The event read, the rehearsals and the loopback HTTP exchange need no AWS; the reads do, and fail.
            assertThat(outcomes.get(0).primed()).isTrue();
            assertThat(outcomes).filteredOn(outcome -> outcome.step().startsWith("DynamoDB") && !outcome.step().endsWith(PrimingCalls.REHEARSED))
                    .isNotEmpty().noneMatch(Outcome::primed);
            assertThat(outcomes).filteredOn(outcome -> outcome.step().endsWith(PrimingCalls.REHEARSED)).isNotEmpty().allMatch(Outcome::primed);
        }
    }

    private static void assertPrimesWithReadsOnly(Function<ChatOpsWiring, SnapStartPriming> function, String... reads) {
        aws.answering();
        SnapStartPriming priming = function.apply(ChatOpsWiring.fromEnvironment(environment()));

        priming.beforeCheckpoint(Core.getGlobalContext());

        // The bot token's Secrets Manager client is built by this wiring; it is not asked.
        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
        assertThat(aws.stateTableItems()).isZero();

        priming.afterRestore(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder(reads);
    }

    /** The loopback's environment, with the registry account the worker's rebuilds need (the example declares base images). */
    private static Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>(aws.environment());
        environment.put(ChatOpsWiring.REGISTRY_ACCOUNT_ENV, "111111111111");
        return environment;
    }

    /** The worker's priming as its handler builds it: its own steps, then those of the clients its service builds. */
    private static SnapStartPriming worker(ChatOpsWiring wiring) {
        SnapStartPriming.Builder priming = ChatOpsPriming.worker(wiring);
        wiring.chatOpsService(priming);
        return priming.build();
    }

    private static List<Function<ChatOpsWiring, SnapStartPriming>> bothFunctions() {
        return List.of(ChatOpsPriming::notify, ChatOpsPrimingIT::worker);
    }
}
