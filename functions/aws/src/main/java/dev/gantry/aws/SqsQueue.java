package dev.gantry.aws;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * One SQS queue Gantry hands messages to: the ChatOps request queue (standard) and the notify queue (FIFO, where the
 * group keeps one thread's news in order and the deduplication id drops a repeated send within SQS's five minutes).
 *
 * <p>Errors: a failed send throws {@link QueueException} naming the queue; the SDK has already retried throttling and
 * 5xx answers by then, so the caller fails its own invocation and is retried as a whole.
 */
public final class SqsQueue {

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsQueue(SqsClient sqs, String queueUrl) {
        this.sqs = Objects.requireNonNull(sqs, "sqs");
        this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    }

    public boolean isFifo() {
        return queueUrl.endsWith(".fifo");
    }

    /** Sends to a standard queue; attributes travel beside the body, so the receiver reads them without parsing it. */
    public String send(String body, Map<String, String> attributes) {
        return send(body, attributes, null, null);
    }

    /**
     * @param groupId a FIFO queue's message group: messages of one group are received in the order sent; null for a
     *     standard queue
     * @param deduplicationId a FIFO queue drops a second message with this id sent within five minutes; null for a
     *     standard queue
     * @return the message id SQS assigned
     */
    public String send(String body, Map<String, String> attributes, String groupId, String deduplicationId) {
        if (isFifo() && (groupId == null || deduplicationId == null)) {
            throw new IllegalArgumentException("FIFO queue " + queueUrl + " needs a message group and a deduplication id");
        }
        Map<String, MessageAttributeValue> values = new TreeMap<>();
        attributes.forEach((name, value) -> {
            if (value != null) {
                values.put(name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
            }
        });
        SendMessageRequest.Builder request = SendMessageRequest.builder()
                .queueUrl(queueUrl)
                .messageBody(body)
                .messageAttributes(values);
        if (groupId != null) {
            request.messageGroupId(groupId).messageDeduplicationId(deduplicationId);
        }
        try {
            return sqs.sendMessage(request.build()).messageId();
        } catch (SdkException e) {
            throw new QueueException("SendMessage to " + queueUrl + " failed: " + e.getMessage(), e);
        }
    }

    public String queueUrl() {
        return queueUrl;
    }

    public static final class QueueException extends RuntimeException {
        public QueueException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
