package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.aws.SecretsManagerSecret.SecretUnavailableException;
import dev.gantry.testing.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/** Secrets Manager speaks AWS JSON 1.1: {@code POST /} named by {@code X-Amz-Target: secretsmanager.<Operation>}. */
class SecretsManagerSecretIT {

    private static final String TARGET = "secretsmanager.GetSecretValue";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gantry/slack-bot-token-AbCdEf";
    private static final String FAKE_TOKEN = "fake-slack-bot-token-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer server;
    private static SecretsManagerClient client;
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private SecretsManagerSecret secret;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = SecretsManagerClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        secret = new SecretsManagerSecret(client, SECRET_ARN, clock);
    }

    @Test
    void readsTheSecretStringOfTheSecretNamedByItsArn() {
        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));

        String value = secret.get();

        assertThat(value).isEqualTo(FAKE_TOKEN);
        List<LoggedRequest> requests = requests();
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).getHeader("Content-Type")).startsWith("application/x-amz-json-1.1");
        assertThat(body(requests.get(0)).get("SecretId").asText()).isEqualTo(SECRET_ARN);
    }

    @Test
    void readsNothingUntilFirstAsked() {
        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));

        new SecretsManagerSecret(client, SECRET_ARN, clock);

        assertThat(requests()).isEmpty();
    }

    @Test
    void keepsTheValueForFifteenMinutesThenReadsItAgain() {
        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));
        secret.get();

        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        String cached = secret.get();

        assertThat(cached).isEqualTo(FAKE_TOKEN);
        assertThat(requests()).hasSize(1);

        server.stubFor(getSecretValue().willReturn(secretString("fake-slack-bot-token-rotated-for-tests")));
        clock.advance(Duration.ofSeconds(1));
        String reread = secret.get();

        assertThat(reread).isEqualTo("fake-slack-bot-token-rotated-for-tests");
        assertThat(requests()).hasSize(2);
    }

    @Test
    void readsTheSecretAgainAtOnceOnceItsValueIsForgotten() {
        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));
        secret.get();
        server.stubFor(getSecretValue().willReturn(secretString("fake-slack-bot-token-rotated-for-tests")));

        secret.forget();
        String reread = secret.get();

        assertThat(reread).isEqualTo("fake-slack-bot-token-rotated-for-tests");
        assertThat(requests()).hasSize(2);
    }

    @Test
    void refusalNamesTheSecretAndNeverCarriesItsValue() {
        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));
        secret.get();
        server.stubFor(getSecretValue().willReturn(JsonProtocolWire.error("AccessDeniedException",
                "User is not authorized to perform: secretsmanager:GetSecretValue")));
        clock.advance(Duration.ofMinutes(15));

        Throwable refused = catchThrowable(secret::get);

        assertThat(refused).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("GetSecretValue for " + SECRET_ARN + " was refused")
                .hasMessageContaining("AccessDeniedException");
        assertThat(refused.getMessage()).doesNotContain(FAKE_TOKEN).doesNotContain("testaccesskey");
        assertThat(refused.toString()).doesNotContain(FAKE_TOKEN);
    }

    @Test
    void asksAgainAfterAFailure() {
        server.stubFor(getSecretValue().willReturn(JsonProtocolWire.error("ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.")));
        assertThat(catchThrowable(secret::get)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("ResourceNotFoundException");

        server.stubFor(getSecretValue().willReturn(secretString(FAKE_TOKEN)));
        String value = secret.get();

        assertThat(value).isEqualTo(FAKE_TOKEN);
        assertThat(requests()).hasSize(2);
    }

    @Test
    void refusesABinarySecret() {
        server.stubFor(getSecretValue().willReturn(JsonProtocolWire.json("""
                {"ARN":"%s","Name":"gantry/slack-bot-token","SecretBinary":"eG94Yi10ZXN0","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"}"""
                .formatted(SECRET_ARN))));

        assertThat(catchThrowable(secret::get)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining(SECRET_ARN)
                .hasMessageContaining("no SecretString");
    }

    @Test
    void failsWithoutQuotingAnAnswerItCannotParse() {
        // Whatever answered put the value where a parser trips over it, and the SDK's message quotes what it tripped over.
        server.stubFor(getSecretValue().willReturn(JsonProtocolWire.json("{\"ARN\":\"" + SECRET_ARN + "\",\"SecretString\":fakeSlackBotTokenUnquoted}")));

        Throwable unreadable = catchThrowable(secret::get);

        assertThat(unreadable).isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager GetSecretValue for " + SECRET_ARN + " failed: SdkClientException")
                .hasNoCause();
        java.io.StringWriter trace = new java.io.StringWriter();
        unreadable.printStackTrace(new java.io.PrintWriter(trace));
        assertThat(trace.toString()).doesNotContain("fakeSlackBotTokenUnquoted");
    }

    @Test
    void failsClearlyWhenSecretsManagerCannotBeReached() {
        server.stubFor(getSecretValue().willReturn(aResponse().withStatus(503).withBody("unavailable")));

        assertThat(catchThrowable(secret::get)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("GetSecretValue for " + SECRET_ARN)
                .hasMessageContaining("503");
    }

    private static MappingBuilder getSecretValue() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET));
    }

    private static ResponseDefinitionBuilder secretString(String value) {
        return JsonProtocolWire.json(JSON.createObjectNode()
                .put("ARN", SECRET_ARN)
                .put("Name", "gantry/slack-bot-token")
                .put("SecretString", value)
                .put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE")
                .toString());
    }

    private static List<LoggedRequest> requests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET)));
    }

    private static JsonNode body(LoggedRequest request) {
        try {
            return JSON.readTree(request.getBodyAsString());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
