package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.gantry.fn.interactions.SignedSlackRequests.SIGNING_SECRET;
import static dev.gantry.fn.interactions.SignedSlackRequests.functionUrlEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.gantry.aws.lambda.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The interactions endpoint as Lambda runs it behind its Function URL, with its own AWS adapters (the SDK's signer over
 * HttpURLConnection) reading the signing secret from a loopback Secrets Manager and handing requests to a loopback
 * SQS, both speaking the AWS JSON protocols: only a request Slack signed, recently, reaches the queue.
 */
class SlackInteractionsHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final String COMMAND = "token=unused&team_id=T0TEAM&api_app_id=A0GANTRY&user_id=U0ALICE&command=%2Fgantry"
            + "&text=status+payments-api&response_url=https%3A%2F%2Fhooks.slack.test%2Fcommands%2F1&trigger_id=13345224609.738474920.8088930838d88f008e0";
    private static final String CLICK = "payload=%7B%22type%22%3A%22block_actions%22%7D";

    private static final WireMockServer AWS = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static AckAwsEnvironment aws;
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();

    @BeforeAll
    static void start() {
        AWS.start();
        aws = AckAwsEnvironment.from(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_SESSION_TOKEN", "test-session-token",
                "AWS_ENDPOINT_URL", AWS.baseUrl()));
    }

    @AfterAll
    static void stop() {
        AWS.stop();
    }

    @BeforeEach
    void reset() {
        AWS.resetAll();
        storedSecret(SIGNING_SECRET);
    }

    @Test
    void handsASignedCommandToTheWorkerAndAcknowledgesItOnlyToTheSender() throws Exception {
        acceptSends(COMMAND, "command");

        JsonNode answer = invoke(handler(), functionUrlEvent(COMMAND, SIGNING_SECRET, NOW.minusSeconds(2)));

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(200);
        assertThat(JSON.readTree(answer.at("/body").asText()).at("/response_type").asText()).isEqualTo("ephemeral");
        JsonNode sent = single(sent());
        assertThat(sent.at("/QueueUrl").asText()).isEqualTo(QUEUE);
        assertThat(sent.at("/MessageBody").asText()).isEqualTo(COMMAND);
        assertThat(sent.at("/MessageAttributes/kind/StringValue").asText()).isEqualTo("command");
    }

    @Test
    void handsAButtonClickOnWithAnEmptyAcknowledgement() throws Exception {
        acceptSends(CLICK, "interaction");

        JsonNode answer = invoke(handler(), functionUrlEvent(CLICK, SIGNING_SECRET, NOW));

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(200);
        assertThat(answer.at("/body").asText()).isEmpty();
        assertThat(single(sent()).at("/MessageAttributes/kind/StringValue").asText()).isEqualTo("interaction");
    }

    @Test
    void refusesForgedStaleFutureAndTamperedRequestsAndQueuesNothing() throws Exception {
        String forged = functionUrlEvent(COMMAND, "someone-elses-secret", NOW);
        String stale = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW.minus(Duration.ofMinutes(6)));
        String future = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW.plus(Duration.ofMinutes(6)));
        String tampered = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW).replace("status+payments-api", "deploy+payments-api");
        String unsigned = SignedSlackRequests.event("POST", COMMAND, false, Map.of());

        for (String request : List.of(forged, stale, future, tampered, unsigned)) {
            JsonNode answer = invoke(handler(), request);
            assertThat(answer.at("/statusCode").asInt()).as(request).isEqualTo(401);
        }
        assertThat(sent()).isEmpty();
    }

    @Test
    void refusesARequestReplayedAfterFiveMinutes() throws Exception {
        acceptSends(COMMAND, "command");
        String captured = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW);

        JsonNode first = invoke(handler(), captured);
        JsonNode replayed = invoke(handler(Clock.fixed(NOW.plus(Duration.ofMinutes(5)).plusSeconds(1), ZoneOffset.UTC)), captured);

        assertThat(first.at("/statusCode").asInt()).isEqualTo(200);
        assertThat(replayed.at("/statusCode").asInt()).isEqualTo(401);
        assertThat(sent()).hasSize(1);
    }

    @Test
    void acceptsABase64BodyAndHeadersInAnyCase() throws Exception {
        acceptSends(COMMAND, "command");
        long timestamp = NOW.getEpochSecond();
        String request = SignedSlackRequests.event("POST", COMMAND, true, Map.of(
                "X-Slack-Request-Timestamp", Long.toString(timestamp),
                "X-SLACK-SIGNATURE", SignedSlackRequests.signature(SIGNING_SECRET, timestamp, COMMAND)));

        JsonNode answer = invoke(handler(), request);

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(200);
        assertThat(single(sent()).at("/MessageBody").asText()).isEqualTo(COMMAND);
    }

    @Test
    void acceptsTheOldSecretOnlyWhileItIsStoredBesideTheNewOne() throws Exception {
        acceptSends(COMMAND, "command");
        String signedWithOld = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW);
        storedSecret("{\"signingSecret\":\"test-signing-secret-rotated\",\"previousSigningSecret\":\"" + SIGNING_SECRET + "\"}");

        JsonNode during = invoke(handler(), signedWithOld);
        storedSecret("{\"signingSecret\":\"test-signing-secret-rotated\"}");
        JsonNode after = invoke(handler(), signedWithOld);
        JsonNode signedWithNew = invoke(handler(), functionUrlEvent(COMMAND, "test-signing-secret-rotated", NOW));

        assertThat(during.at("/statusCode").asInt()).isEqualTo(200);
        assertThat(after.at("/statusCode").asInt()).isEqualTo(401);
        assertThat(signedWithNew.at("/statusCode").asInt()).isEqualTo(200);
    }

    @Test
    void answers500AndQueuesNothingWhenTheSecretCannotBeRead() throws Exception {
        AWS.stubFor(secretsManager().willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"AccessDeniedException\",\"message\":\"not allowed\"}")));

        JsonNode answer = invoke(handler(), functionUrlEvent(COMMAND, SIGNING_SECRET, NOW));

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(500);
        assertThat(sent()).isEmpty();
        JsonNode line = JSON.readTree(logged.toString(StandardCharsets.UTF_8));
        assertThat(line.at("/level").asText()).isEqualTo("ERROR");
        assertThat(line.at("/message").asText()).contains(SECRET_ARN, "AccessDeniedException");
    }

    @Test
    void logsARefusalAsOneJsonLineWithoutTheSecretOrTheSignature() throws Exception {
        String forged = functionUrlEvent(COMMAND, "someone-elses-secret", NOW);

        invoke(handler(), forged);

        String log = logged.toString(StandardCharsets.UTF_8);
        assertThat(log.lines()).hasSize(1);
        JsonNode line = JSON.readTree(log);
        assertThat(line.at("/level").asText()).isEqualTo("WARN");
        assertThat(line.at("/message").asText()).startsWith("Slack request refused (BAD_SIGNATURE)");
        assertThat(line.at("/function_name").asText()).isEqualTo("slack-interactions");
        assertThat(log).doesNotContain(SIGNING_SECRET, SignedSlackRequests.signature(SIGNING_SECRET, NOW.getEpochSecond(), COMMAND));
    }

    @Test
    void answers500WhenTheQueueRefusesSoSlackShowsAnError() throws Exception {
        AWS.stubFor(sqs("SendMessage").willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"no queue\"}")));

        JsonNode answer = invoke(handler(), functionUrlEvent(COMMAND, SIGNING_SECRET, NOW));

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(500);
    }

    @Test
    void answers400ToAnEventThatIsNotAFunctionUrlRequestAndQueuesNothing() throws Exception {
        String cutShort = functionUrlEvent(COMMAND, SIGNING_SECRET, NOW).substring(0, 40);

        for (String event : List.of("", "[]", "\"text\"", cutShort, "[".repeat(5_000))) {
            JsonNode answer = invoke(handler(), event);
            assertThat(answer.at("/statusCode").asInt()).as(event).isEqualTo(400);
            assertThat(JSON.readTree(answer.at("/body").asText()).at("/error").asText()).isEqualTo("not a Function URL request");
        }
        assertThat(sent()).isEmpty();
        assertThat(logged.toString(StandardCharsets.UTF_8).lines())
                .allSatisfy(line -> assertThat(JSON.readTree(line).at("/message").asText()).startsWith("request refused: not a Function URL event"));
    }

    @Test
    void refusesAnythingButPost() throws Exception {
        JsonNode answer = invoke(handler(), SignedSlackRequests.event("GET", "", false, Map.of()));

        assertThat(answer.at("/statusCode").asInt()).isEqualTo(405);
    }

    private SlackInteractionsHandler handler() {
        return handler(Clock.fixed(NOW, ZoneOffset.UTC));
    }

    private SlackInteractionsHandler handler(Clock clock) {
        AckLog log = new AckLog(AckLog.Level.INFO, "gantry-slack-interactions", new PrintStream(logged, true, StandardCharsets.UTF_8), clock);
        return new SlackInteractionsHandler(new AckSecretsManager(AckAwsJsonClient.secretsManager(aws), SECRET_ARN, clock),
                new AckSqs(AckAwsJsonClient.sqs(aws), QUEUE), log, clock);
    }

    private static JsonNode invoke(SlackInteractionsHandler handler, String event) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("slack-interactions", 3_000));
        return JSON.readTree(output.toByteArray());
    }

    private static void storedSecret(String value) {
        AWS.stubFor(secretsManager().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(JSON.createObjectNode().put("ARN", SECRET_ARN).put("Name", "gantry/slack-signing").put("SecretString", value)
                        .toString())));
    }

    /** SQS answering SendMessage of {@code body} with the digests the SDK checks. */
    private static void acceptSends(String body, String kind) throws Exception {
        AWS.stubFor(sqs("SendMessage").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody(SignedSlackRequests.sqsSendMessageAnswer(body, kind))));
    }

    private static MappingBuilder secretsManager() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"));
    }

    private static MappingBuilder sqs(String operation) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSQS." + operation));
    }

    private static List<JsonNode> sent() {
        return AWS.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSQS.SendMessage"))).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .toList();
    }

    private static JsonNode single(List<JsonNode> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }
}
