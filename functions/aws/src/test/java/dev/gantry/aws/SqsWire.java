package dev.gantry.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SQS on a WireMock server, as {@link EcsWire} is for ECS: SendMessage is {@code POST /} named by its
 * {@code X-Amz-Target}. The SDK checks the MD5 of the body SQS says it stored against its own, so the answer is
 * computed from each request: register {@link #sendMessageAnswer()} with the server, then stub {@link #sendMessage()}
 * with {@link #answered()}.
 */
public final class SqsWire {

    private static final String SEND_MESSAGE = "AmazonSQS.SendMessage";
    private static final String ANSWER = "sqs-send-message";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SqsWire() {}

    /** The extension that answers a SendMessage with the MD5 of the body it received. */
    public static ResponseDefinitionTransformerV2 sendMessageAnswer() {
        return new SendMessageAnswer();
    }

    public static MappingBuilder sendMessage() {
        return WireMock.post(WireMock.urlEqualTo("/")).withHeader("X-Amz-Target", WireMock.equalTo(SEND_MESSAGE));
    }

    /** SQS taking the message, answered by {@link #sendMessageAnswer()}. */
    public static ResponseDefinitionBuilder answered() {
        return ResponseDefinitionBuilder.responseDefinition().withTransformers(ANSWER);
    }

    /** The bodies of every SendMessage that reached {@code server}, in order, as JSON. */
    public static List<JsonNode> sent(WireMockServer server) {
        return server.findAll(WireMock.postRequestedFor(WireMock.urlEqualTo("/"))
                        .withHeader("X-Amz-Target", WireMock.equalTo(SEND_MESSAGE))).stream()
                .map(request -> readJson(request.getBodyAsString()))
                .toList();
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final class SendMessageAnswer implements ResponseDefinitionTransformerV2 {

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            String body = readJson(serveEvent.getRequest().getBodyAsString()).path("MessageBody").asText();
            String md5;
            try {
                md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every Java platform has MD5", e);
            }
            return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.0")
                    .withBody(JSON.createObjectNode().put("MessageId", "5fea7756-0ea4-451a-a703-a558b933e274").put("SequenceNumber", "1")
                            .put("MD5OfMessageBody", md5).toString())
                    .build();
        }

        @Override
        public String getName() {
            return ANSWER;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }
    }
}
