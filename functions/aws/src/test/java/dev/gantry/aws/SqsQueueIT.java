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
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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

/** {@link SqsQueue} through the real SDK against a loopback server speaking SQS's JSON protocol. */
class SqsQueueIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SEND_MESSAGE = "AmazonSQS.SendMessage";
    private static final String STANDARD = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    private static final String FIFO = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";

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
    void sendsTheBodyAndItsAttributesToAStandardQueue() throws Exception {
        SERVER.stubFor(sendMessage().willReturn(ok("{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\",\"MD5OfMessageBody\":\""
                + md5("payload=%7B%7D".getBytes(StandardCharsets.UTF_8)) + "\",\"MD5OfMessageAttributes\":\""
                + attributesMd5(Map.of("kind", "interaction")) + "\"}")));

        String id = new SqsQueue(sqs, STANDARD).send("payload=%7B%7D", Map.of("kind", "interaction"));

        assertThat(id).isEqualTo("5fea7756-0ea4-451a-a703-a558b933e274");
        JsonNode sent = single();
        assertThat(sent.at("/QueueUrl").asText()).isEqualTo(STANDARD);
        assertThat(sent.at("/MessageBody").asText()).isEqualTo("payload=%7B%7D");
        assertThat(sent.at("/MessageAttributes/kind/StringValue").asText()).isEqualTo("interaction");
        assertThat(sent.has("MessageGroupId")).isFalse();
    }

    @Test
    void sendsTheGroupAndDeduplicationIdToAFifoQueue() throws Exception {
        SERVER.stubFor(sendMessage().willReturn(ok("{\"MessageId\":\"m-2\",\"SequenceNumber\":\"1\",\"MD5OfMessageBody\":\""
                + md5("{}".getBytes(StandardCharsets.UTF_8)) + "\"}")));

        new SqsQueue(sqs, FIFO).send("{}", Map.of(), "release/payments-api/7f5b2640fe6f", "news-1");

        JsonNode sent = single();
        assertThat(sent.at("/MessageGroupId").asText()).isEqualTo("release/payments-api/7f5b2640fe6f");
        assertThat(sent.at("/MessageDeduplicationId").asText()).isEqualTo("news-1");
    }

    @Test
    void refusesAFifoSendWithoutAGroupBeforeCallingSqs() {
        assertThatThrownBy(() -> new SqsQueue(sqs, FIFO).send("{}", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a message group");
        assertThat(SERVER.findAll(postRequestedFor(urlEqualTo("/")))).isEmpty();
    }

    @Test
    void namesTheQueueWhenSqsRefuses() {
        SERVER.stubFor(sendMessage().willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}")));

        assertThatThrownBy(() -> new SqsQueue(sqs, STANDARD).send("x", Map.of()))
                .isInstanceOf(SqsQueue.QueueException.class)
                .hasMessageContaining("SendMessage to " + STANDARD);
    }

    private static MappingBuilder sendMessage() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE));
    }

    private static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body);
    }

    // The SDK checks SQS's MD5s of what it sent, as SQS documents them, so the loopback answers with real ones.
    private static String md5(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    }

    /** SQS's digest of string attributes: by name, each of name, type, transport type 1 and value, lengths first. */
    private static String attributesMd5(Map<String, String> attributes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        for (Map.Entry<String, String> attribute : new TreeMap<>(attributes).entrySet()) {
            for (String part : List.of(attribute.getKey(), "String")) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                data.writeInt(bytes.length);
                data.write(bytes);
            }
            data.writeByte(1);
            byte[] value = attribute.getValue().getBytes(StandardCharsets.UTF_8);
            data.writeInt(value.length);
            data.write(value);
        }
        return md5(out.toByteArray());
    }

    private static JsonNode single() throws Exception {
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> sent =
                SERVER.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE)));
        assertThat(sent).hasSize(1);
        return JSON.readTree(sent.get(0).getBodyAsString());
    }
}
