package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.lambda.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What Lambda's event source mapping does for a function behind an SQS queue, on a thread of its own: receives up to
 * ten messages, hands them to the function as one SQS event, deletes those it handled and hands back those it reported
 * in {@code batchItemFailures} (all of them when it failed as a whole), then looks again.
 */
final class QueueTrigger implements AutoCloseable {

    static final int BATCH_SIZE = 10;
    private static final long IDLE_PAUSE_MILLIS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String function;
    private final LocalQueue queue;
    private final RequestStreamHandler handler;
    private final String queueArn;
    private final String region;
    private final PrintStream problems;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicBoolean invoking = new AtomicBoolean();
    private final Thread thread;

    /** @param problems where a failed invocation is reported; the function's own log says why */
    QueueTrigger(String function, LocalQueue queue, RequestStreamHandler handler, String account, String region, PrintStream problems) {
        this.function = function;
        this.queue = queue;
        this.handler = handler;
        this.region = region;
        this.queueArn = "arn:aws:sqs:" + region + ":" + account + ":" + queue.url().substring(queue.url().lastIndexOf('/') + 1);
        this.problems = problems;
        this.thread = new Thread(this::poll, function + " trigger");
        this.thread.setDaemon(true);
    }

    QueueTrigger start() {
        thread.start();
        return this;
    }

    /** Whether every message sent so far has been handled: none waits, none is being handled. */
    boolean idle() {
        return !invoking.get() && queue.drained();
    }

    private void poll() {
        while (running.get()) {
            List<LocalQueue.Message> batch;
            try {
                invoking.set(true);
                batch = queue.receive(BATCH_SIZE);
                if (!batch.isEmpty()) {
                    invoke(batch);
                }
            } catch (RuntimeException e) {
                problems.println("local run: the " + function + " trigger could not read its queue: " + e.getMessage());
                batch = List.of();
            } finally {
                invoking.set(false);
            }
            if (batch.isEmpty()) {
                pause();
            }
        }
    }

    private void invoke(List<LocalQueue.Message> batch) {
        Set<String> failed = new HashSet<>();
        try {
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event(batch))), answer,
                    new LocalContext(function, 60_000));
            for (JsonNode failure : JSON.readTree(answer.toByteArray()).path("batchItemFailures")) {
                failed.add(failure.path("itemIdentifier").asText());
            }
        } catch (Exception e) {
            problems.println("local run: " + function + " failed on " + batch.size() + " message(s), delivered again: " + e.getMessage());
            batch.forEach(m -> failed.add(m.messageId()));
        }
        for (LocalQueue.Message message : batch) {
            if (failed.contains(message.messageId())) {
                queue.retryLater(message);
            } else {
                queue.delete(message);
            }
        }
    }

    /** The SQS event Lambda hands a function: one record per message, with the fields Lambda sets. */
    private ObjectNode event(List<LocalQueue.Message> batch) {
        ObjectNode event = JSON.createObjectNode();
        ArrayNode records = event.putArray("Records");
        for (LocalQueue.Message message : batch) {
            ObjectNode record = records.addObject()
                    .put("messageId", message.messageId())
                    .put("receiptHandle", message.receiptHandle())
                    .put("body", message.body());
            ObjectNode attributes = record.putObject("attributes");
            message.attributes().forEach(attributes::put);
            ObjectNode messageAttributes = record.putObject("messageAttributes");
            message.messageAttributes().forEach((name, value) -> {
                ObjectNode attribute = messageAttributes.putObject(name).put("stringValue", value);
                attribute.putArray("stringListValues");
                attribute.putArray("binaryListValues");
                attribute.put("dataType", "String");
            });
            record.put("md5OfBody", SqsDigests.md5(message.body()))
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", queueArn)
                    .put("awsRegion", region);
        }
        return event;
    }

    private void pause() {
        try {
            Thread.sleep(IDLE_PAUSE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
