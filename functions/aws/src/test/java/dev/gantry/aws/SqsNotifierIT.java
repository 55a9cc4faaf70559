package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.PipelineChanged;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link SqsNotifier} through the real SDK against a loopback server speaking SQS's JSON protocol. */
class SqsNotifierIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEND_MESSAGE = "AmazonSQS.SendMessage";
    private static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

    private static final WireMockServer SERVER = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static SqsClient sqs;

    @BeforeAll
    static void start() {
        SERVER.start();
        sqs = SqsClient.builder()
                .endpointOverride(URI.create(SERVER.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stop() {
        sqs.close();
        SERVER.stop();
    }

    @BeforeEach
    void reset() {
        SERVER.resetAll();
    }

    @Test
    void queuesNewsInItsThreadsGroupDeduplicatedByItsId() throws Exception {
        ReleaseNews held = new DeployDeclined("declined/payments-api/prod/07348c117739/HELD/event-1", AT, "payments-api", "prod", DIGEST,
                "1.4.0", DeployOutcome.Result.HELD, "held at gate 'production'");
        SERVER.stubFor(sendMessage().willReturn(sent(ReleaseNewsJson.write(held))));

        new SqsNotifier(new SqsQueue(sqs, NOTIFY_QUEUE)).tell(held);

        JsonNode sent = single();
        assertThat(sent.at("/QueueUrl").asText()).isEqualTo(NOTIFY_QUEUE);
        assertThat(sent.at("/MessageGroupId").asText()).isEqualTo("release/payments-api/" + DIGEST.value());
        assertThat(sent.at("/MessageDeduplicationId").asText()).isEqualTo("declined/payments-api/prod/07348c117739/HELD/event-1");
        assertThat(ReleaseNewsJson.read(sent.at("/MessageBody").asText())).isEqualTo(held);
    }

    @Test
    void hashesIdsSqsWouldRefuseTheSameWayEachTime() throws Exception {
        // An ECS lifecycle hook's arrival is a service revision ARN: with it, the news id is longer than SQS allows.
        String arrival = "arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/4980306466373577095";
        ReleaseNews gate = new GateChanged("gate/payments-api/prod/07348c117739/" + arrival + "/WAITING/" + AT, AT, "payments-api", "prod",
                DIGEST, null, "production", GateStatus.WAITING, "waiting for approvals", List.of(), 0, 2);
        ReleaseNews pipeline = PipelineChanged.of("checkout web release", "0c7a7b2e-5f4b-4a7e-9c55-1f0a3d1e2b3c", null, "STARTED", null,
                null, "eu-west-1", AT);
        SqsNotifier notifier = new SqsNotifier(new SqsQueue(sqs, NOTIFY_QUEUE));
        SERVER.stubFor(sendMessage().willReturn(sent(ReleaseNewsJson.write(gate))));

        notifier.tell(gate);

        JsonNode sent = single();
        assertThat(gate.newsId()).hasSizeGreaterThan(128);
        assertThat(sent.at("/MessageDeduplicationId").asText()).matches("sha256-[0-9a-f]{64}")
                .isEqualTo(SqsNotifier.deduplicationIdOf(gate.newsId()));
        assertThat(sent.at("/MessageGroupId").asText()).isEqualTo("release/payments-api/" + DIGEST.value());
        assertThat(SqsNotifier.groupOf(pipeline.thread())).as("spaces are not among the characters SQS takes")
                .matches("sha256-[0-9a-f]{64}")
                .isEqualTo(SqsNotifier.groupOf(PipelineChanged.of("checkout web release", "0c7a7b2e-5f4b-4a7e-9c55-1f0a3d1e2b3c", "Deploy",
                        "FAILED", null, null, "eu-west-1", AT).thread()));
    }

    @Test
    void logsAndCountsAFailedSendInsteadOfFailingTheWorkItReports() {
        SERVER.stubFor(sendMessage().willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}")));
        SqsNotifier notifier = new SqsNotifier(new SqsQueue(sqs, NOTIFY_QUEUE));
        ReleaseNews held = new DeployDeclined("declined/payments-api/prod/07348c117739/REFUSED/event-2", AT, "payments-api", "prod",
                DIGEST, "1.4.0", DeployOutcome.Result.REFUSED, "vetoed");

        notifier.tell(held);

        assertThat(notifier.failedSends()).isEqualTo(1);
        assertThat(SERVER.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(1);
    }

    @Test
    void tellsNothingWhenNoNotifyQueueIsConfigured() {
        Notifier unconfigured = SqsNotifier.fromEnvironment(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1")));
        Notifier blank = SqsNotifier.fromEnvironment(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1",
                SqsNotifier.QUEUE_URL_ENV, " ")));
        Notifier configured = SqsNotifier.fromEnvironment(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1",
                SqsNotifier.QUEUE_URL_ENV, NOTIFY_QUEUE)));

        assertThat(unconfigured).isSameAs(Notifier.NONE);
        assertThat(blank).isSameAs(Notifier.NONE);
        assertThat(configured).isInstanceOf(SqsNotifier.class);
        assertThat(SERVER.getAllServeEvents()).isEmpty();
    }

    @Test
    void refusesAStandardQueueThatWouldReorderAThread() {
        assertThatThrownBy(() -> new SqsNotifier(new SqsQueue(sqs, "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a FIFO queue");
    }

    private static MappingBuilder sendMessage() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE));
    }

    // The SDK checks SQS's MD5 of the body it sent, so the loopback answers with the real one.
    private static ResponseDefinitionBuilder sent(String body) throws Exception {
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\",\"SequenceNumber\":\"1\","
                        + "\"MD5OfMessageBody\":\"" + md5 + "\"}");
    }

    private static JsonNode single() throws Exception {
        List<LoggedRequest> sent = SERVER.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE)));
        assertThat(sent).hasSize(1);
        return JSON.readTree(sent.get(0).getBodyAsString());
    }
}
