package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.config.GateConfig.CustomCheck;
import dev.gantry.core.gate.CustomChecks.CustomAnswer;
import dev.gantry.core.gate.CustomChecks.CustomCheckException;
import dev.gantry.core.gate.CustomChecks.CustomQuestion;
import dev.gantry.core.gate.CustomChecks.Verdict;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
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
import software.amazon.awssdk.services.lambda.LambdaClient;

/**
 * Endpoints answer a plain JSON POST; Lambda is REST-JSON, {@code POST /2015-03-31/functions/<name>/invocations}, with a
 * function's own failure named in the {@code X-Amz-Function-Error} header of a 200.
 */
class SdkCustomChecksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final CustomQuestion QUESTION = new CustomQuestion("payments-api", "production", DIGEST,
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api", "1.4.0", "production-gate");
    private static final String FUNCTION = "release-check";
    private static final String FUNCTION_PATH = "/2015-03-31/functions/" + FUNCTION + "/invocations";
    /** Long enough for a loopback answer on a busy build machine, short enough to keep the timeout tests quick. */
    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(1500);

    private static WireMockServer server;
    private static LambdaClient lambda;
    private SdkCustomChecks checks;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        lambda = LambdaClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        lambda.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        checks = new SdkCustomChecks(lambda, SHORT_TIMEOUT);
    }

    @Test
    void postsTheQuestionAsJsonAndReadsAPass() throws IOException {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\"}")));

        CustomAnswer answer = checks.ask(urlCheck("/gate/check"), QUESTION);

        assertThat(answer).isEqualTo(new CustomAnswer(Verdict.PASS, null, null));
        LoggedRequest request = server.findAll(postRequestedFor(urlEqualTo("/gate/check"))).get(0);
        assertThat(request.getHeader("Content-Type")).isEqualTo("application/json");
        assertThat(request.getHeader("User-Agent")).isEqualTo("gantry-gate");
        assertThat(JSON.readTree(request.getBodyAsString())).isEqualTo(JSON.readTree("""
                {"service":"payments-api","environment":"production","digest":"%s",
                 "image":"111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api","tag":"1.4.0","gate":"production-gate"}"""
                .formatted(DIGEST)));
    }

    @Test
    void readsAWaitWithItsReasonAndWhenToAskAgain() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"WAIT\",\"reason\":\"canary at 40%\",\"retryAfterSeconds\":120}")));

        CustomAnswer answer = checks.ask(urlCheck("/gate/check"), QUESTION);

        assertThat(answer).isEqualTo(new CustomAnswer(Verdict.WAIT, "canary at 40%", Duration.ofMinutes(2)));
    }

    @Test
    void readsAFailWithItsReason() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"Fail\",\"reason\":\"open P1 incident INC-4711\"}")));

        CustomAnswer answer = checks.ask(urlCheck("/gate/check"), QUESTION);

        assertThat(answer).isEqualTo(new CustomAnswer(Verdict.FAIL, "open P1 incident INC-4711", null));
    }

    @Test
    void keepsWhenToAskAgainOnlyForAWait() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\",\"retryAfterSeconds\":60}")));

        assertThat(checks.ask(urlCheck("/gate/check"), QUESTION).retryAfter()).isNull();
    }

    @Test
    void reportsAnHttpErrorWithItsStatusAndTheStartOfTheBody() {
        String page = "<html><body>Internal Server Error " + "x".repeat(500) + "</body></html>";
        server.stubFor(endpoint().willReturn(aResponse().withStatus(500).withHeader("Content-Type", "text/html").withBody(page)));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("custom check deploy-window (http://localhost:" + server.port() + "/gate/check)")
                .hasMessageContaining("answered HTTP 500: " + page.substring(0, SdkCustomChecks.BODY_EXCERPT_CHARS) + "...")
                .message().doesNotContain(page.substring(0, SdkCustomChecks.BODY_EXCERPT_CHARS + 1));
    }

    @Test
    void treatsARedirectAsAnAnswerItCannotUse() {
        server.stubFor(endpoint().willReturn(aResponse().withStatus(302).withHeader("Location", "/login")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("answered HTTP 302: (empty body)");
        assertThat(server.findAll(postRequestedFor(urlEqualTo("/login")))).isEmpty();
    }

    @Test
    void leavesTheQueryStringOutOfMessages() {
        server.stubFor(post(urlPathMatching("/gate/check")).willReturn(aResponse().withStatus(503)));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check?token=s3cr3t-check-token"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("HTTP 503")
                .message().doesNotContain("s3cr3t-check-token");
    }

    @Test
    void reportsAUrlItCannotCallWithoutQuotingIt() {
        CustomCheck check = new CustomCheck("deploy-window", "https://checks.example.test/gate check?token=s3cr3t-check-token", null);

        assertThatThrownBy(() -> checks.ask(check, QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("custom check deploy-window (URL not shown) has a URL that is not an absolute http(s) URL")
                .message().doesNotContain("s3cr3t-check-token");
    }

    @Test
    void refusesALambdaCheckWhenNoLambdaClientWasBuilt() {
        SdkCustomChecks withoutLambda = new SdkCustomChecks(null, SHORT_TIMEOUT);

        assertThatThrownBy(() -> withoutLambda.ask(lambdaCheck(FUNCTION), QUESTION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no Lambda client was built");
    }

    @Test
    void reportsABodyThatIsNotJson() {
        server.stubFor(endpoint().willReturn(okJson("status=pass")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("answered with something that is not JSON: status=pass");
    }

    @Test
    void reportsJsonFollowedByMoreText() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\"} and more")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void reportsJsonThatIsNotAnObject() {
        server.stubFor(endpoint().willReturn(okJson("[\"pass\"]")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("JSON that is not an object: [\"pass\"]");
    }

    @Test
    void reportsAnAnswerWithoutAStatus() {
        server.stubFor(endpoint().willReturn(okJson("{\"reason\":\"looks fine\"}")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("without a status (pass, wait or fail)");
    }

    @Test
    void reportsAStatusItDoesNotKnow() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"maybe\"}")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("answered status \"maybe\", which is none of pass, wait or fail");
    }

    @Test
    void reportsARetryAfterThatIsNotANonNegativeWholeNumber() {
        for (String retryAfter : List.of("-5", "1.5", "\"120\"")) {
            server.stubFor(endpoint().willReturn(okJson("{\"status\":\"wait\",\"retryAfterSeconds\":" + retryAfter + "}")));

            assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                    .isInstanceOf(CustomCheckException.class)
                    .hasMessageContaining("retryAfterSeconds " + retryAfter + ", which is not a non-negative whole number");
        }
    }

    @Test
    void reportsAReasonThatIsNotText() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"fail\",\"reason\":{\"code\":42}}")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("reason that is not text");
    }

    @Test
    void givesUpWhenTheEndpointDoesNotAnswerInTime() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\"}").withFixedDelay(5_000)));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("did not answer within 1500 ms");
    }

    @Test
    void givesUpWhenTheBodyArrivesTooSlowly() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\",\"reason\":\"" + "slow ".repeat(20) + "\"}")
                .withChunkedDribbleDelay(10, 5_000)));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("did not answer within 1500 ms");
    }

    @Test
    void reportsAnEndpointThatCannotBeReached() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        CustomCheck check = new CustomCheck("deploy-window", "http://127.0.0.1:" + closedPort + "/gate/check", null);

        assertThatThrownBy(() -> checks.ask(check, QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("custom check deploy-window (http://127.0.0.1:" + closedPort + "/gate/check) could not be reached");
    }

    @Test
    void refusesAnAnswerLargerThanAnAnswerCanBe() {
        server.stubFor(endpoint().willReturn(okJson("{\"status\":\"pass\",\"reason\":\"" + "a".repeat(SdkCustomChecks.MAX_ANSWER_BYTES) + "\"}")));

        assertThatThrownBy(() -> checks.ask(urlCheck("/gate/check"), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("answered with more than 65536 bytes");
    }

    @Test
    void invokesTheFunctionSynchronouslyWithTheSameQuestion() throws IOException {
        server.stubFor(invocation().willReturn(okJson("{\"status\":\"wait\",\"reason\":\"change CHG-1234 not approved\",\"retryAfterSeconds\":300}")
                .withHeader("X-Amz-Executed-Version", "$LATEST")));

        CustomAnswer answer = checks.ask(lambdaCheck(FUNCTION), QUESTION);

        assertThat(answer).isEqualTo(new CustomAnswer(Verdict.WAIT, "change CHG-1234 not approved", Duration.ofMinutes(5)));
        LoggedRequest request = server.findAll(postRequestedFor(urlEqualTo(FUNCTION_PATH))).get(0);
        assertThat(request.getHeader("X-Amz-Invocation-Type")).isEqualTo("RequestResponse");
        assertThat(JSON.readTree(request.getBodyAsString())).isEqualTo(JSON.valueToTree(QUESTION));
    }

    @Test
    void invokesAFunctionNamedByItsArn() {
        String arn = "arn:aws:lambda:eu-west-1:111122223333:function:release-check:live";
        server.stubFor(post(urlPathMatching("/2015-03-31/functions/.+/invocations")).willReturn(okJson("{\"status\":\"pass\"}")));

        assertThat(checks.ask(lambdaCheck(arn), QUESTION).verdict()).isEqualTo(Verdict.PASS);

        String path = server.findAll(postRequestedFor(urlPathMatching("/2015-03-31/functions/.+/invocations"))).get(0).getUrl();
        assertThat(URLDecoder.decode(path, StandardCharsets.UTF_8)).isEqualTo("/2015-03-31/functions/" + arn + "/invocations");
    }

    @Test
    void reportsAFunctionErrorWithTheFunctionsMessage() {
        server.stubFor(invocation().willReturn(okJson("""
                {"errorMessage":"connection to change system refused","errorType":"java.net.ConnectException","stackTrace":[]}""")
                .withHeader("X-Amz-Function-Error", "Unhandled")));

        assertThatThrownBy(() -> checks.ask(lambdaCheck(FUNCTION), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("custom check change-approved (Lambda function release-check) failed (Unhandled)")
                .hasMessageContaining("connection to change system refused");
    }

    @Test
    void reportsAFunctionAnswerItCannotRead() {
        server.stubFor(invocation().willReturn(okJson("\"pass\"")));

        assertThatThrownBy(() -> checks.ask(lambdaCheck(FUNCTION), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("(Lambda function release-check) answered with JSON that is not an object: \"pass\"");
    }

    @Test
    void reportsAFunctionThatCannotBeInvoked() {
        server.stubFor(invocation().willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withHeader("X-Amzn-ErrorType", "ResourceNotFoundException")
                .withBody("{\"Type\":\"User\",\"message\":\"Function not found: arn:aws:lambda:eu-west-1:111122223333:function:release-check\"}")));

        assertThatThrownBy(() -> checks.ask(lambdaCheck(FUNCTION), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("could not be invoked: ResourceNotFoundException: Function not found")
                .message().doesNotContain("testaccesskey");
    }

    @Test
    void givesUpWhenTheFunctionDoesNotAnswerInTime() {
        server.stubFor(invocation().willReturn(okJson("{\"status\":\"pass\"}").withFixedDelay(5_000)));

        assertThatThrownBy(() -> checks.ask(lambdaCheck(FUNCTION), QUESTION))
                .isInstanceOf(CustomCheckException.class)
                .hasMessageContaining("(Lambda function release-check) did not answer within 1500 ms");
    }

    private static MappingBuilder endpoint() {
        return post(urlEqualTo("/gate/check"));
    }

    private static MappingBuilder invocation() {
        return post(urlEqualTo(FUNCTION_PATH));
    }

    private static CustomCheck urlCheck(String path) {
        return new CustomCheck("deploy-window", server.baseUrl() + path, null);
    }

    private static CustomCheck lambdaCheck(String function) {
        return new CustomCheck("change-approved", null, function);
    }
}
