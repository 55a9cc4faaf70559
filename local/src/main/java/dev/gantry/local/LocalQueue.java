package dev.gantry.local;

import java.util.List;
import java.util.Map;

/**
 * A queue a function is triggered from, as Lambda's event source mapping reads it: messages received are hidden from
 * other receives until they are deleted (the function handled them) or handed back (it reported them failed).
 */
interface LocalQueue {

    /**
     * One message as the queue delivers it.
     *
     * @param attributes the system attributes Lambda puts on an SQS record ({@code MessageGroupId} on a FIFO queue, ...)
     * @param messageAttributes the sender's string attributes, by name
     */
    record Message(String messageId, String receiptHandle, String body, Map<String, String> attributes,
            Map<String, String> messageAttributes) {}

    String url();

    boolean fifo();

    /** Up to {@code max} messages, oldest first; a FIFO queue delivers none of a group while one of it is out. */
    List<Message> receive(int max);

    void delete(Message message);

    /** A message its function reported failed: delivered again after a short wait, as after a visibility timeout. */
    void retryLater(Message message);

    /** Whether no message waits or is out. */
    boolean drained();
}
