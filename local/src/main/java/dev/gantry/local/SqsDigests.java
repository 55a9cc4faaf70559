package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digests SQS answers a SendMessage with, and puts on every message it delivers: the SDK (and the ChatOps
 * acknowledgement's own client) refuse an answer whose digests do not match what they sent, so a stand-in for SQS must
 * compute them as SQS does.
 */
final class SqsDigests {

    private SqsDigests() {}

    static String md5(String text) {
        return md5(text.getBytes(StandardCharsets.UTF_8));
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /**
     * SQS's digest of message attributes (as SendMessage's {@code MessageAttributes} JSON gives them): by name, each of
     * name, data type, transport type 1 (a string) and value, lengths first; null when there are none.
     */
    static String attributesMd5(JsonNode attributes) {
        if (attributes == null || attributes.isEmpty()) {
            return null;
        }
        Map<String, String[]> sorted = new TreeMap<>();
        for (Map.Entry<String, JsonNode> attribute : attributes.properties()) {
            sorted.put(attribute.getKey(), new String[] {attribute.getValue().path("DataType").asText(),
                    attribute.getValue().path("StringValue").asText()});
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            for (Map.Entry<String, String[]> attribute : sorted.entrySet()) {
                lengthPrefixed(data, attribute.getKey());
                lengthPrefixed(data, attribute.getValue()[0]);
                data.writeByte(1);
                lengthPrefixed(data, attribute.getValue()[1]);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory failed", e);
        }
        return md5(out.toByteArray());
    }

    private static void lengthPrefixed(DataOutputStream data, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        data.writeInt(bytes.length);
        data.write(bytes);
    }
}
