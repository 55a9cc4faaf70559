package dev.gantry.reliability.secrets;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.reliability.harness.SqsSendMessageAnswer;
import java.net.URI;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;

/**
 * AWS and Slack on loopback: one WireMock server speaking the AWS services Gantry calls (JSON services told apart by
 * {@code X-Amz-Target}, S3 by path, the query services by their form), one speaking Slack's Web API and its {@code
 * response_url}s. Neither writes anything to the JVM's logs or streams: they see the Authorization headers, as AWS and
 * Slack do, and what they might print is not Gantry's.
 */
final class Loopback implements AutoCloseable {

    static final Region REGION = Region.EU_WEST_1;
    static final String JSON_11 = "application/x-amz-json-1.1";
    static final String JSON_10 = "application/x-amz-json-1.0";

    /** SDK retries as the functions have them (the standard strategy), without the waits between attempts. */
    static final RetryStrategy RETRIES_WITHOUT_WAITING = AwsRetryStrategy.standardRetryStrategy().toBuilder()
            .backoffStrategy(BackoffStrategy.retryImmediately())
            .throttlingBackoffStrategy(BackoffStrategy.retryImmediately())
            .circuitBreakerEnabled(false)
            .build();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Notifier SILENT = new Notifier() {
        @Override
        public void info(String message) {}

        @Override
        public void error(String message) {}

        @Override
        public void error(String message, Throwable t) {}
    };

    final WireMockServer aws = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").notifier(SILENT)
            .extensions(new SqsSendMessageAnswer()));
    final WireMockServer slack = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").notifier(SILENT));
    final SdkHttpClient http = UrlConnectionHttpClient.create();

    Loopback() {
        aws.start();
        slack.start();
        reset();
    }

    URI awsEndpoint() {
        return URI.create(aws.baseUrl());
    }

    URI slackBaseUrl() {
        return URI.create(slack.baseUrl());
    }

    /** Forgets every stub and request; what nothing is stubbed for is answered 404, as by a service that does not know it. */
    void reset() {
        aws.resetAll();
        slack.resetAll();
        aws.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().withStatus(404).withHeader("Content-Type", JSON_11)
                .withBody("{\"__type\":\"UnknownOperationException\"}")));
        slack.stubFor(any(anyUrl()).atPriority(100).willReturn(aResponse().withStatus(404).withBody("no_service")));
    }

    /** A real SDK client of the service {@code builder} builds, aimed at the loopback and signing with {@code credentials}. */
    <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C client(B builder, AwsCredentialsProvider credentials) {
        return builder.endpointOverride(awsEndpoint()).region(REGION).credentialsProvider(credentials).httpClient(http)
                .overrideConfiguration(c -> c.retryStrategy(RETRIES_WITHOUT_WAITING)).build();
    }

    /** An AWS JSON-protocol operation, {@code target} being e.g. {@code CodePipeline_20150709.PutJobSuccessResult}. */
    static MappingBuilder operation(String target) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(target));
    }

    /** A query-protocol action (CloudWatch, STS), named in the form body. */
    static MappingBuilder action(String action) {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=" + action));
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", JSON_11).withBody(body);
    }

    /** An AWS JSON-protocol error: HTTP 400 and the error's name in {@code __type}. */
    static ResponseDefinitionBuilder jsonError(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", JSON_11)
                .withBody(JSON.createObjectNode().put("__type", type).put("message", message).toString());
    }

    /** A Slack Web API method, e.g. {@code chat.postMessage}, whichever HTTP method calls it. */
    static MappingBuilder slackMethod(String method) {
        return any(urlPathEqualTo("/api/" + method));
    }

    static ResponseDefinitionBuilder slackAnswer(String json) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(json);
    }

    /** SQS taking every SendMessage a scenario has not stubbed otherwise, answering with the digests the caller checks. */
    void acceptSqsMessages() {
        aws.stubFor(operation("AmazonSQS.SendMessage").atPriority(50).willReturn(SqsSendMessageAnswer.answer()));
    }

    /** Every request that reached the AWS server, in order. */
    List<LoggedRequest> awsRequests() {
        return aws.getAllServeEvents().stream().map(ServeEvent::getRequest).toList().reversed();
    }

    /** Every request that reached the Slack server, in order. */
    List<LoggedRequest> slackRequests() {
        return slack.getAllServeEvents().stream().map(ServeEvent::getRequest).toList().reversed();
    }

    /** The bodies of the requests to AWS whose {@code X-Amz-Target} ends with one of {@code operations}. */
    List<String> awsBodies(String... operations) {
        return awsRequests().stream()
                .filter(r -> r.containsHeader("X-Amz-Target") && List.of(operations).stream()
                        .anyMatch(op -> r.getHeader("X-Amz-Target").endsWith("." + op)))
                .map(LoggedRequest::getBodyAsString)
                .toList();
    }

    @Override
    public void close() {
        http.close();
        aws.stop();
        slack.stop();
    }
}
