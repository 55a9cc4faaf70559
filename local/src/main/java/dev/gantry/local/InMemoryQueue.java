package dev.gantry.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * An SQS queue in memory with the behaviour Gantry relies on: a FIFO queue keeps each message group in order (nothing
 * of a group is delivered while one of its messages is out) and drops a message whose deduplication id it saw in the
 * last five minutes; a message handed back is delivered again after a short wait.
 */
final class InMemoryQueue implements LocalQueue {

    static final Duration DEDUPLICATION_WINDOW = Duration.ofMinutes(5);
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);

    private final String url;
    private final Clock clock;
    private final List<Stored> waiting = new ArrayList<>();
    private final Map<String, Stored> out = new LinkedHashMap<>();
    private final Map<String, Instant> deduplicationIds = new HashMap<>();
    private long sent;

    private static final class Stored {
        final String messageId = UUID.randomUUID().toString();
        final String body;
        final Map<String, String> messageAttributes;
        final String groupId;
        final String deduplicationId;
        final Instant sentAt;
        final long sequence;
        Instant visibleAt;
        int receives;

        Stored(String body, Map<String, String> messageAttributes, String groupId, String deduplicationId, Instant sentAt, long sequence) {
            this.body = body;
            this.messageAttributes = Map.copyOf(messageAttributes);
            this.groupId = groupId;
            this.deduplicationId = deduplicationId;
            this.sentAt = sentAt;
            this.sequence = sequence;
            this.visibleAt = sentAt;
        }
    }

    /** @param url the queue's URL as SQS would give it; one ending in {@code .fifo} is a FIFO queue */
    InMemoryQueue(String url, Clock clock) {
        this.url = url;
        this.clock = clock;
    }

    @Override
    public String url() {
        return url;
    }

    @Override
    public boolean fifo() {
        return url.endsWith(".fifo");
    }

    /**
     * @param groupId and {@code deduplicationId}: required on a FIFO queue, ignored on a standard one
     * @return the message id, or the first message's id when this one was a duplicate
     */
    synchronized String send(String body, Map<String, String> messageAttributes, String groupId, String deduplicationId) {
        Instant now = clock.instant();
        if (fifo()) {
            if (groupId == null || deduplicationId == null) {
                throw new IllegalArgumentException("FIFO queue " + url + " needs a message group and a deduplication id");
            }
            deduplicationIds.values().removeIf(at -> at.plus(DEDUPLICATION_WINDOW).isBefore(now));
            if (deduplicationIds.putIfAbsent(deduplicationId, now) != null) {
                return "duplicate-of-" + deduplicationId;
            }
        }
        Stored stored = new Stored(body, messageAttributes, fifo() ? groupId : null, fifo() ? deduplicationId : null, now, ++sent);
        waiting.add(stored);
        notifyAll();
        return stored.messageId;
    }

    @Override
    public synchronized List<Message> receive(int max) {
        Instant now = clock.instant();
        Set<String> groupsOut = new HashSet<>();
        out.values().forEach(m -> groupsOut.add(m.groupId));
        List<Message> received = new ArrayList<>();
        for (Iterator<Stored> it = waiting.iterator(); it.hasNext() && received.size() < max; ) {
            Stored stored = it.next();
            if (stored.groupId != null && groupsOut.contains(stored.groupId)) {
                continue;
            }
            if (stored.visibleAt.isAfter(now)) {
                // A later message of the same group must not overtake this one.
                if (stored.groupId != null) {
                    groupsOut.add(stored.groupId);
                }
                continue;
            }
            it.remove();
            stored.receives++;
            String receipt = UUID.randomUUID().toString();
            out.put(receipt, stored);
            received.add(new Message(stored.messageId, receipt, stored.body, attributes(stored), stored.messageAttributes));
        }
        return received;
    }

    private static Map<String, String> attributes(Stored stored) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("ApproximateReceiveCount", Integer.toString(stored.receives));
        attributes.put("SentTimestamp", Long.toString(stored.sentAt.toEpochMilli()));
        if (stored.groupId != null) {
            attributes.put("MessageGroupId", stored.groupId);
            attributes.put("MessageDeduplicationId", stored.deduplicationId);
        }
        return attributes;
    }

    @Override
    public synchronized void delete(Message message) {
        out.remove(message.receiptHandle());
    }

    @Override
    public synchronized void retryLater(Message message) {
        Stored stored = out.remove(message.receiptHandle());
        if (stored != null) {
            stored.visibleAt = clock.instant().plus(RETRY_AFTER);
            // Back in front of its group's later messages, as SQS keeps a FIFO group's order.
            int at = 0;
            while (at < waiting.size() && waiting.get(at).sequence < stored.sequence) {
                at++;
            }
            waiting.add(at, stored);
        }
    }

    @Override
    public synchronized boolean drained() {
        return waiting.isEmpty() && out.isEmpty();
    }
}
