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
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.crac.Core;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The SnapStart priming of the ChatOps worker and notify functions against loopback AWS and a loopback Slack: the state
 * table is read and nothing else happens; no Slack call, no read of the bot token, no message sent.
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
        assertPrimesByReadingTheStateTableOnly(ChatOpsPriming::notify);
    }

    @Test
    void primesTheWorkerByReadingTheStateTableOnly() {
        assertPrimesByReadingTheStateTableOnly(ChatOpsPriming::worker);
    }

    @Test
    void neitherFunctionCallsSlackOrReadsTheBotToken() {
        for (Function<ChatOpsWiring, SnapStartPriming> function : bothFunctions()) {
            aws.answering();
            SLACK.resetAll();
            AtomicInteger tokenReads = new AtomicInteger();
            AwsClients clients = new AwsClients(aws.environment());
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

            List<Outcome> outcomes = function.apply(ChatOpsWiring.fromEnvironment(aws.environment())).prime();

            assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
        }
    }

    @Test
    void takesTheSnapshotAnywayWhenAwsFails() throws Exception {
        for (Function<ChatOpsWiring, SnapStartPriming> function : bothFunctions()) {
            aws.failing();
            SnapStartPriming priming = function.apply(ChatOpsWiring.fromEnvironment(aws.environment()));

            assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
            List<Outcome> outcomes = priming.prime();

            // The event read, the rehearsed writes and the loopback HTTP exchange need no AWS; the table read does, and fails.
            assertThat(outcomes).extracting(Outcome::primed).containsExactly(true, false, true, true);
            assertThat(outcomes.get(2).step()).endsWith(PrimingCalls.REHEARSED);
        }
    }

    private static void assertPrimesByReadingTheStateTableOnly(Function<ChatOpsWiring, SnapStartPriming> function) {
        aws.answering();
        SnapStartPriming priming = function.apply(ChatOpsWiring.fromEnvironment(aws.environment()));

        priming.beforeCheckpoint(Core.getGlobalContext());

        // The bot token's Secrets Manager client is built by this wiring; it is not asked.
        assertThat(aws.operations()).containsExactlyInAnyOrder("DynamoDB GetItem", "DynamoDB Query");
        assertThat(aws.stateTableItems()).isZero();

        priming.afterRestore(Core.getGlobalContext());

        assertThat(aws.operations()).containsExactlyInAnyOrder("DynamoDB GetItem", "DynamoDB Query");
    }

    private static List<Function<ChatOpsWiring, SnapStartPriming>> bothFunctions() {
        return List.of(ChatOpsPriming::notify, ChatOpsPriming::worker);
    }
}
