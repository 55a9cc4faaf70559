package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.fn.interactions.InteractionsHandlers;
import dev.gantry.fn.interactions.SlackInteractionsHandler;
import dev.gantry.reliability.harness.SlackSignature;
import dev.gantry.reliability.harness.SqsSendMessageAnswer;
import dev.gantry.testing.ReliabilityFigures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Slack's way in, behind its Function URL, with its two calls failing in turn: reading the signing secret from Secrets
 * Manager and handing the verified request to the worker's queue, both through the function's own signed client.
 *
 * <p>Slack does not redeliver a slash command or a click that got no 200: it shows the person an error, and the
 * person asks again, which is a new request (a new {@code trigger_id}, signed anew). So a delivery fails with a reason
 * when Slack was answered with an error, and its redelivery is the person's second try. Done is the request on the
 * queue, once, and a 200 within Slack's three seconds.
 */
class SlackInteractionsFaultsIT {

    static final String SIGNING_SECRET = "test-signing-secret-not-real";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    /** What Slack allows an answer, cold start included; beyond it the person sees an error although the work was queued. */
    private static final long SLACK_BUDGET_MS = 3_000;
    private static final int TRIES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static FaultyAws aws;
    private static final AtomicLong slowestAnswerMs = new AtomicLong();
    private static final AtomicLong answersTooLate = new AtomicLong();

    @BeforeAll
    static void start() throws Exception {
        // The handler binds SLF4J to its no-op provider when it is the first to touch it, which would silence every
        // function that runs later in this JVM: bind it as the other functions do before any handler is built.
        LoggerFactory.getLogger(SlackInteractionsFaultsIT.class).debug("SLF4J bound before the acknowledgement path is built");
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void aSignedRequestIsQueuedOnceOrAnsweredWithAnErrorSlackShows() throws Exception {
        List<FaultScenario> scenarios = List.of(
                new SignedRequest("slash command /gantry status", SlackInteractionsFaultsIT::command, true),
                new SignedRequest("button click", SlackInteractionsFaultsIT::click, false));
        ImageRebuildFaultsIT.warmUp(aws, scenarios);
        slowestAnswerMs.set(0);
        answersTooLate.set(0);
        FaultCampaign campaign = new FaultCampaign(aws);

        for (FaultScenario scenario : scenarios) {
            campaign.run(scenario);
        }

        List<String> findings = campaign.record();
        ReliabilityFigures.add(FaultCampaign.PART, "late answers to slack", answersTooLate.get());
        System.out.println("slack-interactions: slowest answer under faults " + slowestAnswerMs.get() + " ms");
        assertThat(findings).isEmpty();
        assertThat(answersTooLate.get()).as("answers later than Slack's %d ms, slowest %d ms", SLACK_BUDGET_MS, slowestAnswerMs.get())
                .isZero();
    }

    /** {@code /gantry status payments-api}, the person's {@code attempt}-th try. */
    static String command(int attempt) {
        return "token=unused&team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=U0ALICE&user_name=alice&command=%2Fgantry"
                + "&text=status+payments-api&response_url=" + URLEncoder.encode("https://hooks.slack.test/commands/T0GANTRY1/1/" + attempt,
                StandardCharsets.UTF_8) + "&trigger_id=13345224609.738474920.80889308" + attempt + "&channel_id=C0RELEASES";
    }

    /** A click on an approval card's button, the person's {@code attempt}-th try. */
    static String click(int attempt) {
        ObjectNode payload = JSON.createObjectNode().put("type", "block_actions").put("api_app_id", "A0GANTRY1")
                .put("trigger_id", "13345224609.738474920.90000000" + attempt)
                .put("response_url", "https://hooks.slack.test/actions/T0GANTRY1/1/" + attempt);
        payload.putObject("team").put("id", "T0GANTRY1");
        payload.putObject("user").put("id", "U0OPS0001");
        payload.putArray("actions").addObject().put("action_id", "gantry.pipeline.approve").put("value", "pa_0example").put("type", "button");
        return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
    }

    /** The Function URL's event for {@code body}, signed now, as Slack sends it. */
    static String functionUrlEvent(String body) {
        long timestamp = Instant.now().getEpochSecond();
        ObjectNode event = JSON.createObjectNode().put("version", "2.0").put("rawPath", "/");
        event.putObject("headers").put("content-type", "application/x-www-form-urlencoded")
                .put("x-slack-request-timestamp", Long.toString(timestamp)).put("x-slack-signature", SlackSignature.of(SIGNING_SECRET, timestamp, body));
        event.putObject("requestContext").putObject("http").put("method", "POST").put("path", "/");
        event.put("body", body).put("isBase64Encoded", false);
        return event.toString();
    }

    /** One request as Slack sends it, and the person's later tries when Slack showed them an error. */
    private static final class SignedRequest implements FaultScenario {

        private final String name;
        private final IntFunction<String> bodyOfAttempt;
        private final boolean command;
        private final Map<String, Integer> attempts = new HashMap<>();

        SignedRequest(String name, IntFunction<String> bodyOfAttempt, boolean command) {
            this.name = name;
            this.bodyOfAttempt = bodyOfAttempt;
            this.command = command;
        }

        @Override
        public String name() {
            return "slack-interactions: " + name;
        }

        @Override
        public void stubServices(FaultyAws aws) {
            aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"ARN\":\"" + SECRET_ARN + "\",\"Name\":\"gantry/slack-signing\",\"SecretString\":\""
                                    + SIGNING_SECRET + "\",\"VersionId\":\"7e1c4a2b-0000-4000-8000-000000000001\"}")));
            String kind = command ? "command" : "interaction";
            for (int attempt = 1; attempt <= TRIES + 1; attempt++) {
                String body = bodyOfAttempt.apply(attempt);
                aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSQS.SendMessage"))
                        .withRequestBody(matchingJsonPath("$.MessageBody", equalTo(body)))
                        .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                                .withBody("{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e27" + attempt + "\",\"MD5OfMessageBody\":\""
                                        + SqsSendMessageAnswer.bodyMd5(body) + "\",\"MD5OfMessageAttributes\":\""
                                        + SqsSendMessageAnswer.attributesMd5(Map.of("kind", kind)) + "\"}")));
            }
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            int attempt = attempts.merge(environment.get("GANTRY_TABLE"), 1, Integer::sum);
            Map<String, String> slack = new HashMap<>(environment);
            slack.put("GANTRY_SLACK_SIGNING_SECRET_ARN", SECRET_ARN);
            slack.put("GANTRY_CHATOPS_REQUEST_QUEUE_URL", QUEUE);
            ByteArrayOutputStream logged = new ByteArrayOutputStream();
            PrintStream stderr = System.err;
            JsonNode answer;
            long started = System.nanoTime();
            // The function logs its one line to stderr, through the stream it finds when it is built.
            System.setErr(new PrintStream(new Tee(stderr, logged), true, StandardCharsets.UTF_8));
            try {
                SlackInteractionsHandler handler = InteractionsHandlers.fromEnvironment(slack);
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                handler.handleRequest(new ByteArrayInputStream(functionUrlEvent(bodyOfAttempt.apply(attempt)).getBytes(StandardCharsets.UTF_8)),
                        output, new LocalContext("gantry-slack-interactions", 10_000));
                answer = JSON.readTree(output.toByteArray());
            } finally {
                System.setErr(stderr);
                long tookMs = (System.nanoTime() - started) / 1_000_000;
                slowestAnswerMs.accumulateAndGet(tookMs, Math::max);
                if (tookMs > SLACK_BUDGET_MS) {
                    answersTooLate.incrementAndGet();
                }
            }
            int status = answer.path("statusCode").asInt();
            if (status != 200) {
                List<String> lines = new ArrayList<>();
                for (String line : logged.toString(StandardCharsets.UTF_8).lines().toList()) {
                    if (line.startsWith("{")) {
                        lines.add(JSON.readTree(line).path("message").asText());
                    }
                }
                throw new SlackShowedAnError("Slack was answered HTTP " + status + " " + answer.path("body").asText()
                        + "; the function logged: " + String.join(" | ", lines));
            }
            String expected = command ? "ephemeral" : "";
            String said = command ? JSON.readTree(answer.path("body").asText()).path("response_type").asText() : answer.path("body").asText();
            if (!expected.equals(said)) {
                throw new AssertionError("a 200 that is not the acknowledgement Slack expects: " + answer);
            }
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            return aws.succeeded("SendMessage") == 0 ? List.of("the request never reached the worker's queue") : List.of();
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("SendMessage");
        }
    }

    /** The person saw Slack's error; their next try is the redelivery. */
    static final class SlackShowedAnError extends Exception {
        SlackShowedAnError(String message) {
            super(message);
        }
    }

    /** Writes to both: the captured log lines still reach the build's output. */
    private static final class Tee extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Tee(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) throws IOException {
            first.write(b);
            second.write(b);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            first.write(bytes, offset, length);
            second.write(bytes, offset, length);
        }
    }
}
