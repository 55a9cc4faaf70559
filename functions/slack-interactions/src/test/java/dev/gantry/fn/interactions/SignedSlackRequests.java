package dev.gantry.fn.interactions;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Slack requests signed at test time, as Slack signs them, wrapped in the Function URL's event. */
final class SignedSlackRequests {

    /** Obviously not a real signing secret. */
    static final String SIGNING_SECRET = "test-signing-secret-not-real";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SignedSlackRequests() {}

    static String signature(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(digest);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A Function URL event carrying {@code body} signed with {@code secret} at {@code signedAt}. */
    static String functionUrlEvent(String body, String secret, Instant signedAt) {
        long timestamp = signedAt.getEpochSecond();
        return event("POST", body, false, Map.of(
                "content-type", "application/x-www-form-urlencoded",
                "x-slack-request-timestamp", Long.toString(timestamp),
                "x-slack-signature", signature(secret, timestamp, body)));
    }

    static String event(String method, String body, boolean base64, Map<String, String> headers) {
        ObjectNode event = JSON.createObjectNode().put("version", "2.0").put("rawPath", "/");
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);
        event.putObject("requestContext").putObject("http").put("method", method).put("path", "/");
        event.put("body", base64 ? Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) : body);
        event.put("isBase64Encoded", base64);
        return event.toString();
    }

    /**
     * SQS's answer to SendMessage of {@code body} with the one string attribute the handler sends, {@code kind}: the MD5
     * digests of both, which the handler checks, computed here as SQS documents them rather than by the code under test.
     */
    static String sqsSendMessageAnswer(String body, String kind) {
        try {
            java.io.ByteArrayOutputStream attributes = new java.io.ByteArrayOutputStream();
            java.io.DataOutputStream data = new java.io.DataOutputStream(attributes);
            for (String part : java.util.List.of("kind", "String")) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                data.writeInt(bytes.length);
                data.write(bytes);
            }
            data.writeByte(1);
            byte[] value = kind.getBytes(StandardCharsets.UTF_8);
            data.writeInt(value.length);
            data.write(value);
            return JSON.createObjectNode().put("MessageId", "m-1").put("MD5OfMessageBody", md5(body.getBytes(StandardCharsets.UTF_8)))
                    .put("MD5OfMessageAttributes", md5(attributes.toByteArray())).toString();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
