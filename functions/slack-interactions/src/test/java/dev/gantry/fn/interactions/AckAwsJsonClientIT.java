package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/** {@link AckAwsJsonClient} against a loopback server speaking the AWS JSON protocols: what goes out, what comes back. */
class AckAwsJsonClientIT {

    private static final String ACCESS_KEY = "testaccesskey";
    private static final String SECRET_KEY = "test-secret-key";
    private static final String SESSION_TOKEN = "test-session-token";
    private static final byte[] GET_SECRET = "{\"SecretId\":\"gantry/slack-signing\"}".getBytes(StandardCharsets.UTF_8);

    private static final WireMockServer AWS = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));

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
    void signsWithSigV4ForTheServiceAndRegionAndSendsTheSessionToken() throws Exception {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("{}")));

        AckAwsJsonClient.secretsManager(aws(SESSION_TOKEN)).call("GetSecretValue", GET_SECRET);

        LoggedRequest sent = single();
        String date = sent.getHeader("X-Amz-Date");
        assertThat(date).matches("\\d{8}T\\d{6}Z");
        assertThat(sent.getHeader("Authorization"))
                .startsWith("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY + "/" + date.substring(0, 8) + "/eu-west-1/secretsmanager/aws4_request, ")
                .contains("SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token;x-amz-target, ")
                .containsPattern("Signature=[0-9a-f]{64}$");
        assertThat(sent.getHeader("X-Amz-Security-Token")).isEqualTo(SESSION_TOKEN);
        assertThat(sent.getHeader("x-amz-content-sha256")).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(GET_SECRET)));
        assertThat(sent.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.1");
        assertThat(sent.getHeader("X-Amz-Target")).isEqualTo("secretsmanager.GetSecretValue");
        assertThat(sent.getBody()).isEqualTo(GET_SECRET);
    }

    @Test
    void signsWhatTheServerReceives() throws Exception {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("{}")));

        AckAwsJsonClient.sqs(aws(SESSION_TOKEN)).call("SendMessage", "{\"QueueUrl\":\"q\"}".getBytes(StandardCharsets.UTF_8));

        LoggedRequest received = single();
        assertThat(received.getHeader("Authorization")).isEqualTo(signatureOf(received, "sqs"));
    }

    @Test
    void sendsNoSecurityTokenForLongTermKeys() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("{}")));

        AckAwsJsonClient.sqs(aws(null)).call("SendMessage", "{}".getBytes(StandardCharsets.UTF_8));

        LoggedRequest sent = single();
        assertThat(sent.containsHeader("X-Amz-Security-Token")).isFalse();
        assertThat(sent.getHeader("Authorization")).contains("/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, ");
        assertThat(sent.getHeader("Content-Type")).isEqualTo("application/x-amz-json-1.0");
        assertThat(sent.getHeader("X-Amz-Target")).isEqualTo("AmazonSQS.SendMessage");
    }

    @Test
    void namesServiceOperationAndTheErrorCodeWithoutItsNamespace() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400)
                .withBody("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}")));

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.sqs(aws(SESSION_TOKEN)), "SendMessage");

        assertThat(failure.errorCode()).isEqualTo("QueueDoesNotExist");
        assertThat(failure.status()).isEqualTo(400);
        assertThat(failure).hasMessage("SQS SendMessage was refused: QueueDoesNotExist (HTTP 400): The specified queue does not exist.");
        assertThat(AWS.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(1);
    }

    @Test
    void readsTheErrorCodeFromTheErrorTypeHeader() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400)
                .withHeader("X-Amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/")
                .withBody("{\"Message\":\"not allowed\"}")));

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.secretsManager(aws(SESSION_TOKEN)), "GetSecretValue");

        assertThat(failure.errorCode()).isEqualTo("AccessDeniedException");
        assertThat(failure).hasMessageEndingWith("was refused: AccessDeniedException (HTTP 400): not allowed");
    }

    @Test
    void namesTheStatusOfAnAnswerThatIsNotAnAwsError() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(403).withBody("<html>Forbidden</html>")));

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.secretsManager(aws(SESSION_TOKEN)), "GetSecretValue");

        assertThat(failure.errorCode()).isNull();
        assertThat(failure).hasMessage("Secrets Manager GetSecretValue was refused: HTTP 403");
    }

    @Test
    void triesAServerErrorOnceMore() {
        AWS.stubFor(post(urlEqualTo("/")).inScenario("flaky").whenScenarioStateIs(STARTED).willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(503).withBody("{\"__type\":\"ServiceUnavailable\"}")));
        AWS.stubFor(post(urlEqualTo("/")).inScenario("flaky").whenScenarioStateIs("recovered")
                .willReturn(aResponse().withStatus(200).withBody("{\"SecretString\":\"x\"}")));

        byte[] answer = AckAwsJsonClient.secretsManager(aws(SESSION_TOKEN)).call("GetSecretValue", GET_SECRET);

        assertThat(new String(answer, StandardCharsets.UTF_8)).isEqualTo("{\"SecretString\":\"x\"}");
        assertThat(AWS.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(2);
    }

    @Test
    void triesThrottlingOnceMoreOnly() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(400)
                .withBody("{\"__type\":\"com.amazonaws.sqs#RequestThrottled\",\"message\":\"slow down\"}")));

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.sqs(aws(SESSION_TOKEN)), "SendMessage");

        assertThat(failure.errorCode()).isEqualTo("RequestThrottled");
        assertThat(AWS.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(2);
    }

    @Test
    void givesUpOnASilentServerAfterTheReadTimeout() {
        AWS.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(200).withBody("{}")
                .withFixedDelay(AckAwsJsonClient.READ_TIMEOUT_MILLIS + 2_000)));
        long started = System.nanoTime();

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.sqs(aws(SESSION_TOKEN)), "SendMessage");

        assertThat((System.nanoTime() - started) / 1_000_000).isBetween((long) AckAwsJsonClient.READ_TIMEOUT_MILLIS,
                AckAwsJsonClient.READ_TIMEOUT_MILLIS + 1_500L);
        assertThat(failure).hasMessageStartingWith("SQS SendMessage failed: SocketTimeoutException").hasCauseInstanceOf(SocketTimeoutException.class);
        assertThat(failure.status()).isZero();
    }

    @Test
    void failsNamingTheServiceWhenNothingListens() {
        AckAwsEnvironment nowhere = AckAwsEnvironment.from(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_ENDPOINT_URL", "http://127.0.0.1:1"));

        AckAwsJsonClient.CallFailed failure = callFailing(AckAwsJsonClient.secretsManager(nowhere), "GetSecretValue");

        assertThat(failure).hasMessageStartingWith("Secrets Manager GetSecretValue failed: ConnectException");
    }

    private static AckAwsEnvironment aws(String sessionToken) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_ENDPOINT_URL", AWS.baseUrl()));
        if (sessionToken != null) {
            environment.put("AWS_SESSION_TOKEN", sessionToken);
        }
        return AckAwsEnvironment.from(environment);
    }

    private static AckAwsJsonClient.CallFailed callFailing(AckAwsJsonClient client, String operation) {
        return catchThrowableOfType(AckAwsJsonClient.CallFailed.class, () -> client.call(operation, "{}".getBytes(StandardCharsets.UTF_8)));
    }

    private static LoggedRequest single() {
        List<LoggedRequest> requests = AWS.findAll(postRequestedFor(urlEqualTo("/")));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /**
     * The Authorization header AWS would compute for the request as it arrived, with the SDK's signer at the request's
     * own X-Amz-Date: equal only if every signed header and the body reached the server as they were signed.
     */
    private static String signatureOf(LoggedRequest received, String signingName) {
        Instant signedAt = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssX").parse(received.getHeader("X-Amz-Date"), Instant::from);
        SdkHttpRequest.Builder request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(URI.create(received.getAbsoluteUrl()));
        String signedHeaders = received.getHeader("Authorization").replaceAll(".*SignedHeaders=([^,]*),.*", "$1");
        for (String name : signedHeaders.split(";")) {
            if (!name.equals("host")) {
                request.putHeader(name, received.getHeader(name));
            }
        }
        return AwsV4HttpSigner.create().sign(SignRequest.builder(AwsSessionCredentialsIdentity.create(ACCESS_KEY, SECRET_KEY, SESSION_TOKEN))
                        .request(request.build())
                        .payload(ContentStreamProvider.fromByteArray(received.getBody()))
                        .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                        .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(signedAt, ZoneOffset.UTC))
                        .build())
                .request().firstMatchingHeader("Authorization").orElseThrow();
    }
}
