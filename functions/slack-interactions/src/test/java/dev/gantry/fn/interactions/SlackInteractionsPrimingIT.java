package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SnapStartPriming.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.crac.Core;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The acknowledgement path's SnapStart priming, against the loopback Secrets Manager and SQS its ITs use: the whole path
 * is primed without a byte on the wire (no secret read, nothing queued), and logged through the function's own log.
 */
class SlackInteractionsPrimingIT {

    private static final WireMockServer AWS = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final AckLog log = new AckLog(AckLog.Level.INFO, "gantry-slack-interactions",
            new PrintStream(logged, true, StandardCharsets.UTF_8), Clock.systemUTC());

    @BeforeAll
    static void start() {
        AWS.start();
    }

    @AfterAll
    static void stop() {
        AWS.stop();
    }

    @BeforeEach
    void reset() {
        AWS.resetAll();
    }

    @Test
    void primesTheWholePathWithoutAByteOnTheWire() {
        SnapStartPriming priming = AckPriming.of(environment(AWS.baseUrl()), log, Clock.systemUTC());

        priming.beforeCheckpoint(Core.getGlobalContext());
        priming.afterRestore(Core.getGlobalContext());

        assertThat(AWS.getAllServeEvents()).isEmpty();
        assertThat(logged.toString(StandardCharsets.UTF_8)).contains("\"level\":\"INFO\"", "SnapStart priming: 3 of 3 steps primed");
    }

    @Test
    void primesEveryStepThoughItsEndpointsAreUnreachable() throws IOException {
        SnapStartPriming priming = AckPriming.of(environment(closedPort()), log, Clock.systemUTC());

        assertThatCode(() -> priming.beforeCheckpoint(Core.getGlobalContext())).doesNotThrowAnyException();
        List<Outcome> outcomes = priming.prime();

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue());
    }

    private static AckAwsEnvironment environment(String endpoint) {
        return AckAwsEnvironment.from(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_ENDPOINT_URL", endpoint));
    }

    private static String closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }
    }
}
