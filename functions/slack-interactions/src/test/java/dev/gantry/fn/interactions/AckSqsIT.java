package dev.gantry.fn.interactions;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.gantry.fn.interactions.AckSqs.QueueException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link AckSqs} against a loopback SQS speaking AWS JSON 1.0, as SqsQueueIT checks the SDK's. */
class AckSqsIT {

    private static final String SEND_MESSAGE = "AmazonSQS.SendMessage";
    private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    private static final ObjectMapper JSON = new ObjectMapper();

    // Known answers, independent of the code under test: `printf 'hello=1' | md5sum`, and the attribute digest the
    // SDK's SqsClient accepted from the loopback SQS of scripts/bench for kind=command.
    private static final String BODY = "hello=1";
    private static final String BODY_MD5 = "f1fe70d623ca42b1fbbe5c7513a83058";
    private static final String KIND_COMMAND_MD5 = "8c034b072fe34019b0908acac223f907";

    private static final WireMockServer AWS = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
    private static AckAwsJsonClient sqs;

    @BeforeAll
    static void start() {
        AWS.start();
        sqs = AckAwsJsonClient.sqs(AckAwsEnvironment.from(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_ENDPOINT_URL_SQS", AWS.baseUrl())));
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
    void sendsTheBodyAndItsStringAttributesAndReturnsTheMessageId() throws Exception {
        AWS.stubFor(sendMessage().willReturn(ok("{\"MessageId\":\"5fea7756-0ea4-451a-a703-a558b933e274\",\"MD5OfMessageBody\":\""
                + BODY_MD5 + "\",\"MD5OfMessageAttributes\":\"" + KIND_COMMAND_MD5 + "\"}")));
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("kind", "command");
        attributes.put("slackRetryNum", null);

        String id = new AckSqs(sqs, QUEUE).send(BODY, attributes);

        assertThat(id).isEqualTo("5fea7756-0ea4-451a-a703-a558b933e274");
        JsonNode sent = single();
        assertThat(sent.at("/QueueUrl").asText()).isEqualTo(QUEUE);
        assertThat(sent.at("/MessageBody").asText()).isEqualTo(BODY);
        assertThat(sent.at("/MessageAttributes/kind/DataType").asText()).isEqualTo("String");
        assertThat(sent.at("/MessageAttributes/kind/StringValue").asText()).isEqualTo("command");
        assertThat(sent.at("/MessageAttributes").has("slackRetryNum")).isFalse();
    }

    @Test
    void digestsAStringAttributeAsSqsDoes() {
        assertThat(AckSqs.attributesMd5(new TreeMap<>(Map.of("kind", "command")))).isEqualTo(KIND_COMMAND_MD5);
    }

    @Test
    void refusesAnAnswerWhoseBodyDigestIsNotOfWhatWasSent() {
        AWS.stubFor(sendMessage().willReturn(ok("{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"00000000000000000000000000000000\","
                + "\"MD5OfMessageAttributes\":\"" + KIND_COMMAND_MD5 + "\"}")));

        Throwable refused = catchThrowable(() -> new AckSqs(sqs, QUEUE).send(BODY, Map.of("kind", "command")));

        assertThat(refused).isInstanceOf(QueueException.class)
                .hasMessage("SendMessage to " + QUEUE + ": SQS stored a body with MD5 00000000000000000000000000000000, not the "
                        + BODY_MD5 + " sent");
    }

    @Test
    void refusesAnAnswerWhoseAttributesDigestIsNotOfWhatWasSent() {
        AWS.stubFor(sendMessage().willReturn(ok("{\"MessageId\":\"m-1\",\"MD5OfMessageBody\":\"" + BODY_MD5 + "\"}")));

        Throwable refused = catchThrowable(() -> new AckSqs(sqs, QUEUE).send(BODY, Map.of("kind", "command")));

        assertThat(refused).isInstanceOf(QueueException.class).hasMessageContaining("SQS stored attributes with MD5 null");
    }

    @Test
    void namesTheQueueAndTheErrorCodeWhenSqsRefuses() {
        AWS.stubFor(sendMessage().willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}")));

        Throwable refused = catchThrowable(() -> new AckSqs(sqs, QUEUE).send(BODY, Map.of("kind", "command")));

        assertThat(refused).isInstanceOf(QueueException.class)
                .hasMessage("SendMessage to " + QUEUE + " was refused: QueueDoesNotExist (HTTP 400): The specified queue does not exist.");
    }

    @Test
    void refusesAFifoQueueItCannotSendTo() {
        assertThatThrownBy(() -> new AckSqs(sqs, "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a message group");
    }

    private static MappingBuilder sendMessage() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE));
    }

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0").withBody(body);
    }

    private static JsonNode single() throws Exception {
        List<com.github.tomakehurst.wiremock.verification.LoggedRequest> sent =
                AWS.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(SEND_MESSAGE)));
        assertThat(sent).hasSize(1);
        return JSON.readTree(sent.get(0).getBodyAsString());
    }
}
