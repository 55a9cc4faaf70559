package dev.gantry.reliability.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * SQS's answer to SendMessage on a loopback WireMock server: a message id of its own and the MD5 digests of the body
 * and of the string attributes received, which the sender (the SDK client, and the acknowledgement path's own client)
 * compares with what it sent before it acknowledges anything. Register it with the server's extensions and answer a
 * stub with {@link #answer()}.
 */
public final class SqsSendMessageAnswer implements ResponseDefinitionTransformerV2 {

    public static final String NAME = "sqs-send-message";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_10 = "application/x-amz-json-1.0";
    private static final int STRING_TRANSPORT_TYPE = 1;

    private final AtomicLong messages = new AtomicLong();
    private final Consumer<String> taken;

    public SqsSendMessageAnswer() {
        this(body -> { });
    }

    /** @param taken told each message body SQS takes, in the order it takes them */
    public SqsSendMessageAnswer(Consumer<String> taken) {
        this.taken = taken;
    }

    /** A stub's answer: SendMessage taken, with the digests of what was sent. */
    public static ResponseDefinitionBuilder answer() {
        return ResponseDefinitionBuilder.responseDefinition().withTransformers(NAME);
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        JsonNode request;
        try {
            request = JSON.readTree(serveEvent.getRequest().getBodyAsString());
        } catch (IOException e) {
            return ResponseDefinitionBuilder.responseDefinition().withStatus(400).withHeader("Content-Type", JSON_10)
                    .withBody("{\"__type\":\"InvalidParameterValue\"}").build();
        }
        String body = request.path("MessageBody").asText();
        taken.accept(body);
        ObjectNode answer = JSON.createObjectNode()
                .put("MessageId", "00000000-0000-4000-8000-" + String.format("%012d", messages.incrementAndGet()))
                .put("MD5OfMessageBody", bodyMd5(body));
        JsonNode attributes = request.path("MessageAttributes");
        if (!attributes.isEmpty()) {
            SortedMap<String, String> received = new TreeMap<>();
            attributes.properties().forEach(attribute -> received.put(attribute.getKey(), attribute.getValue().path("StringValue").asText()));
            answer.put("MD5OfMessageAttributes", attributesMd5(received));
        }
        return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", JSON_10)
                .withBody(answer.toString()).build();
    }

    /** SQS's {@code MD5OfMessageBody}: the hex MD5 of the body's UTF-8 bytes. */
    public static String bodyMd5(String body) {
        return md5(body.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * SQS's {@code MD5OfMessageAttributes} of string attributes: in order of name, each name, data type and value with
     * its length (4 bytes, big endian) before it, and the transport type byte 1 before the value.
     */
    public static String attributesMd5(Map<String, String> stringAttributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (Map.Entry<String, String> attribute : new TreeMap<>(stringAttributes).entrySet()) {
                lengthPrefixed(out, attribute.getKey());
                lengthPrefixed(out, "String");
                out.writeByte(STRING_TRANSPORT_TYPE);
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
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    @Override
    public String getName() {
        return NAME;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }
}
