package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One standard SQS queue the acknowledgement path hands Slack requests to, through SendMessage over {@link
 * AckAwsJsonClient}: what {@code dev.gantry.aws.SqsQueue} does with the SDK client.
 *
 * <p>SQS answers with the MD5 of the body and of the attributes it stored, and the SDK client refuses a send whose
 * digests do not match what it sent; so does this, so a message changed on the way is never acknowledged to Slack.
 *
 * <p>Errors: a refused or failed send, or a digest that does not match, throws {@link QueueException} naming the queue
 * and AWS's error code.
 */
final class AckSqs {

    private static final JsonFactory JSON = new JsonFactory();
    private static final int STRING_TRANSPORT_TYPE = 1;

    private final AckAwsJsonClient sqs;
    private final String queueUrl;

    /** @throws IllegalArgumentException for a FIFO queue, which needs a group and a deduplication id this never sends */
    AckSqs(AckAwsJsonClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
        if (queueUrl.endsWith(".fifo")) {
            throw new IllegalArgumentException("FIFO queue " + queueUrl + " needs a message group and a deduplication id");
        }
    }

    /**
     * @param attributes string attributes the receiver reads without parsing the body; null values are left out
     * @return the message id SQS assigned
     */
    String send(String body, Map<String, String> attributes) {
        SortedMap<String, String> stringAttributes = new TreeMap<>();
        for (Map.Entry<String, String> attribute : attributes.entrySet()) {
            if (attribute.getValue() != null) {
                stringAttributes.put(attribute.getKey(), attribute.getValue());
            }
        }
        byte[] answer;
        try {
            answer = sqs.call("SendMessage", request(body, stringAttributes));
        } catch (AckAwsJsonClient.CallFailed e) {
            throw new QueueException("SendMessage to " + queueUrl + " " + e.reason(), e);
        }
        Stored result = stored(answer);
        String bodyDigest = md5(body.getBytes(StandardCharsets.UTF_8));
        if (!bodyDigest.equalsIgnoreCase(String.valueOf(result.bodyMd5()))) {
            throw new QueueException("SendMessage to " + queueUrl + ": SQS stored a body with MD5 " + result.bodyMd5()
                    + ", not the " + bodyDigest + " sent", null);
        }
        if (!stringAttributes.isEmpty()) {
            String attributesDigest = attributesMd5(stringAttributes);
            if (!attributesDigest.equalsIgnoreCase(String.valueOf(result.attributesMd5()))) {
                throw new QueueException("SendMessage to " + queueUrl + ": SQS stored attributes with MD5 "
                        + result.attributesMd5() + ", not the " + attributesDigest + " sent", null);
            }
        }
        return result.messageId();
    }

    String queueUrl() {
        return queueUrl;
    }

    private byte[] request(String body, Map<String, String> attributes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length() + queueUrl.length() + 128);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("QueueUrl", queueUrl);
            json.writeStringField("MessageBody", body);
            if (!attributes.isEmpty()) {
                json.writeObjectFieldStart("MessageAttributes");
                for (Map.Entry<String, String> attribute : attributes.entrySet()) {
                    json.writeObjectFieldStart(attribute.getKey());
                    json.writeStringField("DataType", "String");
                    json.writeStringField("StringValue", attribute.getValue());
                    json.writeEndObject();
                }
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** What SQS says it stored: the message's id and the digests of its body and attributes. */
    private record Stored(String messageId, String bodyMd5, String attributesMd5) {}

    private Stored stored(byte[] answer) {
        String messageId = null;
        String bodyMd5 = null;
        String attributesMd5 = null;
        try (JsonParser parser = JSON.createParser(answer)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    if (parser.nextToken() != JsonToken.VALUE_STRING) {
                        parser.skipChildren();
                        continue;
                    }
                    switch (field) {
                        case "MessageId" -> messageId = parser.getText();
                        case "MD5OfMessageBody" -> bodyMd5 = parser.getText();
                        case "MD5OfMessageAttributes" -> attributesMd5 = parser.getText();
                        default -> { }
                    }
                }
            }
        } catch (IOException e) {
            throw new QueueException("SendMessage to " + queueUrl + ": SQS answered with something that is not JSON", e);
        }
        return new Stored(messageId, bodyMd5, attributesMd5);
    }

    /**
     * SQS's digest of string attributes: in order of name, each name, data type and value with its length (4 bytes, big
     * endian) before it, and the transport type byte 1 before the value.
     */
    static String attributesMd5(SortedMap<String, String> stringAttributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            for (Map.Entry<String, String> attribute : stringAttributes.entrySet()) {
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

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is not available", e);
        }
    }

    /** Its own, not the SDK adapter's of the same name: that one's class names the SQS client this jar leaves out. */
    static final class QueueException extends RuntimeException {
        QueueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
