package dev.gantry.reliability.fuzzing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loopback SQS that takes every SendMessage the Slack acknowledgement path makes, answers with the digests real SQS
 * computes (the sender refuses a send whose digests do not match), and keeps the bodies it took for the worker.
 */
final class LoopbackSqs implements AutoCloseable {

    static final String QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ANSWER = "send-message-answer";

    private final ConcurrentLinkedQueue<String> taken = new ConcurrentLinkedQueue<>();
    private final WireMockServer server;

    LoopbackSqs() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1").disableRequestJournal()
                .extensions(new SendMessageAnswer()));
        server.start();
        server.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(200).withTransformers(ANSWER)));
    }

    URI endpoint() {
        return URI.create(server.baseUrl());
    }

    /** The message bodies taken since the last call, in order. */
    List<String> drain() {
        List<String> drained = List.copyOf(taken);
        taken.removeAll(drained);
        return drained;
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class SendMessageAnswer implements ResponseDefinitionTransformerV2 {

        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                JsonNode request = JSON.readTree(serveEvent.getRequest().getBody());
                String body = request.path("MessageBody").asText();
                SortedMap<String, String> attributes = new TreeMap<>();
                request.path("MessageAttributes").properties()
                        .forEach(attribute -> attributes.put(attribute.getKey(), attribute.getValue().path("StringValue").asText()));
                taken.add(body);
                Map<String, String> answer = new TreeMap<>();
                answer.put("MessageId", UUID.randomUUID().toString());
                answer.put("MD5OfMessageBody", md5(body.getBytes(StandardCharsets.UTF_8)));
                if (!attributes.isEmpty()) {
                    answer.put("MD5OfMessageAttributes", attributesMd5(attributes));
                }
                return ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                        .withHeader("Content-Type", "application/x-amz-json-1.0").withBody(JSON.writeValueAsString(answer)).build();
            } catch (IOException e) {
                return ResponseDefinitionBuilder.responseDefinition().withStatus(400).withBody("{\"__type\":\"InvalidParameterValue\"}")
                        .build();
            }
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

    /** SQS's documented digest of string attributes: by name, each of name, type and value length-prefixed, with transport type 1. */
    private static String attributesMd5(SortedMap<String, String> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (Map.Entry<String, String> attribute : attributes.entrySet()) {
                lengthPrefixed(out, attribute.getKey());
                lengthPrefixed(out, "String");
                out.writeByte(1);
                lengthPrefixed(out, attribute.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return md5(bytes.toByteArray());
    }

    private static void lengthPrefixed(DataOutputStream out, String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
