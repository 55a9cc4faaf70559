package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.fn.interactions.AckSecretsManager.SecretUnavailableException;
import dev.gantry.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AckSecretsManager} against a loopback Secrets Manager speaking AWS JSON 1.1, as SecretsManagerSecretIT checks the SDK's. */
class AckSecretsManagerIT {

    private static final String TARGET = "secretsmanager.GetSecretValue";
    private static final String SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:gantry/slack-signing-AbCdEf";
    private static final String FAKE_SECRET = "fake-slack-signing-secret-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final WireMockServer AWS = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static AckAwsJsonClient secretsManager;
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private AckSecretsManager secret;

    @BeforeAll
    static void start() {
        AWS.start();
        secretsManager = AckAwsJsonClient.secretsManager(AckAwsEnvironment.from(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", "testaccesskey", "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", AWS.baseUrl())));
    }

    @AfterAll
    static void stop() {
        AWS.stop();
    }

    @BeforeEach
    void reset() {
        AWS.resetAll();
        secret = new AckSecretsManager(secretsManager, SECRET_ARN, clock);
    }

    @Test
    void readsTheSecretStringOfTheSecretNamedByItsArn() throws Exception {
        AWS.stubFor(getSecretValue().willReturn(secretString(FAKE_SECRET)));

        String value = secret.get();

        assertThat(value).isEqualTo(FAKE_SECRET);
        assertThat(requests()).hasSize(1);
        assertThat(JSON.readTree(requests().get(0).getBodyAsString()).path("SecretId").asText()).isEqualTo(SECRET_ARN);
    }

    @Test
    void readsNothingUntilFirstAsked() {
        AWS.stubFor(getSecretValue().willReturn(secretString(FAKE_SECRET)));

        new AckSecretsManager(secretsManager, SECRET_ARN, clock);

        assertThat(requests()).isEmpty();
    }

    @Test
    void keepsTheValueForFifteenMinutesThenReadsItAgain() {
        AWS.stubFor(getSecretValue().willReturn(secretString(FAKE_SECRET)));
        secret.get();

        clock.advance(Duration.ofMinutes(15).minusSeconds(1));
        String cached = secret.get();

        assertThat(cached).isEqualTo(FAKE_SECRET);
        assertThat(requests()).hasSize(1);

        AWS.stubFor(getSecretValue().willReturn(secretString("fake-slack-signing-secret-rotated")));
        clock.advance(Duration.ofSeconds(1));
        String reread = secret.get();

        assertThat(reread).isEqualTo("fake-slack-signing-secret-rotated");
        assertThat(requests()).hasSize(2);
    }

    @Test
    void refusalNamesTheSecretAndTheErrorCodeAndNeverCarriesTheValue() {
        AWS.stubFor(getSecretValue().willReturn(secretString(FAKE_SECRET)));
        secret.get();
        AWS.stubFor(getSecretValue().willReturn(JsonProtocolWire.error("AccessDeniedException",
                "User is not authorized to perform: secretsmanager:GetSecretValue")));
        clock.advance(Duration.ofMinutes(15));

        Throwable refused = catchThrowable(secret::get);

        assertThat(refused).isInstanceOf(SecretUnavailableException.class)
                .hasMessageStartingWith("Secrets Manager GetSecretValue for " + SECRET_ARN + " was refused: AccessDeniedException (HTTP 400)");
        assertThat(refused.getMessage()).doesNotContain(FAKE_SECRET).doesNotContain("test-secret-key");
        assertThat(refused.getCause()).isInstanceOf(AckAwsJsonClient.CallFailed.class);
    }

    @Test
    void asksAgainAfterAFailure() {
        AWS.stubFor(getSecretValue().willReturn(JsonProtocolWire.error("ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.")));
        assertThat(catchThrowable(secret::get)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining("ResourceNotFoundException");

        AWS.stubFor(getSecretValue().willReturn(secretString(FAKE_SECRET)));
        String value = secret.get();

        assertThat(value).isEqualTo(FAKE_SECRET);
        assertThat(requests()).hasSize(2);
    }

    @Test
    void refusesABinarySecret() {
        AWS.stubFor(getSecretValue().willReturn(JsonProtocolWire.json("""
                {"ARN":"%s","Name":"gantry/slack-signing","SecretBinary":"eG94Yi10ZXN0","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"}"""
                .formatted(SECRET_ARN))));

        assertThat(catchThrowable(secret::get)).isInstanceOf(SecretUnavailableException.class)
                .hasMessageContaining(SECRET_ARN)
                .hasMessageContaining("no SecretString");
    }

    @Test
    void neverQuotesAnAnswerItCannotRead() {
        AWS.stubFor(getSecretValue().willReturn(JsonProtocolWire.json("{\"SecretString\":\"" + FAKE_SECRET + "\" oops")));

        Throwable unreadable = catchThrowable(secret::get);

        assertThat(unreadable).isInstanceOf(SecretUnavailableException.class).hasMessageContaining("not a JSON object");
        assertThat(unreadable.getMessage()).doesNotContain(FAKE_SECRET);
        assertThat(unreadable.getCause()).isNull();
    }

    private static MappingBuilder getSecretValue() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET));
    }

    private static ResponseDefinitionBuilder secretString(String value) {
        return JsonProtocolWire.json(JSON.createObjectNode()
                .put("ARN", SECRET_ARN)
                .put("Name", "gantry/slack-signing")
                .put("SecretString", value)
                .put("VersionId", "EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE")
                .toString());
    }

    private static List<LoggedRequest> requests() {
        return AWS.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET)));
    }
}
