package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.gantry.aws.SqsWire;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/invoke slack-interactions} as a user runs it: its own packaged jar, in a fresh JVM, the handler wired from
 * environment variables alone, as Lambda builds it, against a loopback Secrets Manager and SQS. No configuration file and
 * no table: the acknowledgement reads neither.
 */
class ScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    private static final String REQUEST_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    private static final String COMMAND = "team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=U0ALICE&command=%2Fgantry&text=status+payments-api"
            + "&response_url=https%3A%2F%2Fhooks.slack.test%2Fcommands%2F1&trigger_id=13345224609.738474920.8088930838d88f008e0";

    private static final WireMockServer LOOPBACK = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        LOOPBACK.start();
    }

    @AfterAll
    static void stop() {
        LOOPBACK.stop();
    }

    @BeforeEach
    void fresh() {
        LOOPBACK.resetAll();
        LOOPBACK.stubFor(aws("secretsmanager.GetSecretValue").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(JSON.createObjectNode().put("ARN", SECRET_ARN).put("Name", "gantry/slack-signing")
                        .put("SecretString", SignedSlackRequests.SIGNING_SECRET).toString())));
        LOOPBACK.stubFor(aws("AmazonSQS.SendMessage").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody(SignedSlackRequests.sqsSendMessageAnswer(COMMAND, "command"))));
    }

    @Test
    void acknowledgesASignedCommandAndHandsItToTheWorkersQueue() throws Exception {
        Path event = write("slack-command.json",
                SignedSlackRequests.functionUrlEvent(COMMAND, SignedSlackRequests.SIGNING_SECRET, Instant.now()));

        Result result = InvokeScript.run(environment(), "slack-interactions", event.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/statusCode").asInt()).as(result.stdout()).isEqualTo(200);
        assertThat(SqsWire.sent(LOOPBACK)).singleElement().satisfies(sent -> {
            assertThat(sent.at("/QueueUrl").asText()).isEqualTo(REQUEST_QUEUE);
            assertThat(sent.at("/MessageBody").asText()).isEqualTo(COMMAND);
        });
    }

    /**
     * With SnapStart, Lambda puts no access key in the environment: the key comes from its container credentials endpoint
     * through the SDK's provider chain, which this jar must carry whole.
     */
    @Test
    void signsItsCallsWithTheContainerCredentialsWhenTheEnvironmentHasNoKey() throws Exception {
        LOOPBACK.stubFor(WireMock.get(urlEqualTo("/v2/credentials/gantry")).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(JSON.createObjectNode().put("AccessKeyId", "TESTCONTAINERKEYID").put("SecretAccessKey", "fake-container-secret")
                        .put("Token", "fake-container-session-token").put("Expiration", "2099-01-01T00:00:00Z").toString())));
        Map<String, String> lambda = new java.util.HashMap<>(environment());
        lambda.remove("AWS_ACCESS_KEY_ID");
        lambda.remove("AWS_SECRET_ACCESS_KEY");
        lambda.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", LOOPBACK.baseUrl() + "/v2/credentials/gantry");
        // Nothing of this machine's own AWS setup may answer first.
        lambda.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-credentials").toString());
        lambda.put("AWS_CONFIG_FILE", work.resolve("no-config").toString());
        lambda.put("AWS_EC2_METADATA_DISABLED", "true");
        Path event = write("slack-command.json",
                SignedSlackRequests.functionUrlEvent(COMMAND, SignedSlackRequests.SIGNING_SECRET, Instant.now()));

        Result result = InvokeScript.run(lambda, "slack-interactions", event.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/statusCode").asInt()).as(result.stdout()).isEqualTo(200);
        for (String target : List.of("secretsmanager.GetSecretValue", "AmazonSQS.SendMessage")) {
            assertThat(LOOPBACK.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target))))
                    .as(target).singleElement().satisfies(call -> {
                        assertThat(call.getHeader("Authorization")).contains("Credential=TESTCONTAINERKEYID/");
                        assertThat(call.getHeader("X-Amz-Security-Token")).isEqualTo("fake-container-session-token");
                    });
        }
    }

    @Test
    void refusesARequestSignedWithAnotherSecretAndQueuesNothing() throws Exception {
        Path event = write("forged-command.json",
                SignedSlackRequests.functionUrlEvent(COMMAND, "not-the-signing-secret", Instant.now()));

        Result result = InvokeScript.run(environment(), "slack-interactions", event.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/statusCode").asInt()).as(result.stdout()).isEqualTo(401);
        assertThat(SqsWire.sent(LOOPBACK)).isEmpty();
    }

    @Test
    void logsOnlyJsonLinesAtInfo() throws Exception {
        Path event = write("slack-command.json",
                SignedSlackRequests.functionUrlEvent(COMMAND, SignedSlackRequests.SIGNING_SECRET, Instant.now()));

        Result result = InvokeScript.run(environment(), "slack-interactions", event.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr().lines().filter(line -> !line.isBlank()).toList()).isNotEmpty().allSatisfy(line ->
                assertThat(JSON.readTree(line).path("level").asText()).as(line).isNotEmpty());
    }

    /** At DEBUG the SDK's signer would write each canonical request, the session token in it: nothing of it is written. */
    @Test
    void writesNoneOfTheSdkSignersLinesEvenWhenDebugging() throws Exception {
        Path event = write("slack-command.json",
                SignedSlackRequests.functionUrlEvent(COMMAND, SignedSlackRequests.SIGNING_SECRET, Instant.now()));
        Map<String, String> debugging = new java.util.HashMap<>(environment());
        debugging.put("POWERTOOLS_LOG_LEVEL", "DEBUG");
        debugging.put("AWS_SESSION_TOKEN", "not-a-real-session-token");

        Result result = InvokeScript.run(debugging, "slack-interactions", event.toString());

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stderr()).doesNotContain("not-a-real-session-token").doesNotContain("software.amazon.awssdk")
                .doesNotContain("SLF4J");
        assertThat(result.stderr().lines().filter(line -> !line.isBlank()).toList()).allSatisfy(line ->
                assertThat(JSON.readTree(line).path("level").asText()).as(line).isNotEmpty());
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(work.resolve(name), content);
    }

    private static MappingBuilder aws(String target) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
    }

    private static Map<String, String> environment() {
        return Map.of(
                "AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "AWS_ENDPOINT_URL", LOOPBACK.baseUrl(),
                SlackInteractionsHandler.SIGNING_SECRET_ARN_ENV, SECRET_ARN,
                SlackInteractionsHandler.REQUEST_QUEUE_URL_ENV, REQUEST_QUEUE);
    }
}
