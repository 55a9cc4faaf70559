package dev.gantry.reliability.duplicates;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.lambda.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Copies of an event delivered at the same moment, as EventBridge, SQS, SNS, CodePipeline and Slack may deliver them:
 * each copy goes to a handler of its own, as Lambda gives each concurrent invocation an execution environment of its
 * own, and every copy waits at a barrier until all are ready, so they reach the shared state table together.
 */
final class AtOnce {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;
    /** How often SQS delivers a message again before it moves it to the dead-letter queue (maxReceiveCount 5). */
    private static final int REDELIVERIES = 4;

    private AtOnce() {}

    /** One invocation: the handler it ran in, and the event it was given. */
    record Invocation(RequestStreamHandler handler, String event) {}

    /** What one copy came to: the handler's answer, or what the invocation threw (Lambda would call it failed). */
    record Delivery(Invocation invocation, JsonNode answer, Throwable failure) {

        boolean failed() {
            return failure != null;
        }
    }

    /** Runs {@code copies} invocations at once; {@code invocation} builds copy {@code i}'s, before the barrier. */
    static List<Delivery> deliver(int copies, IntFunction<Invocation> invocation) throws InterruptedException {
        List<Invocation> invocations = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            invocations.add(invocation.apply(i));
        }
        return deliver(invocations);
    }

    static List<Delivery> deliver(List<Invocation> invocations) throws InterruptedException {
        CyclicBarrier together = new CyclicBarrier(invocations.size());
        ExecutorService environments = Executors.newFixedThreadPool(invocations.size());
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (Invocation invocation : invocations) {
                answers.add(environments.submit(() -> {
                    together.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    return invoke(invocation);
                }));
            }
            List<Delivery> deliveries = new ArrayList<>();
            for (int i = 0; i < invocations.size(); i++) {
                try {
                    deliveries.add(new Delivery(invocations.get(i), answers.get(i).get(TIMEOUT_SECONDS, TimeUnit.SECONDS), null));
                } catch (ExecutionException e) {
                    deliveries.add(new Delivery(invocations.get(i), null, e.getCause()));
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("an invocation took longer than " + TIMEOUT_SECONDS + " s", e);
                }
            }
            return deliveries;
        } finally {
            environments.shutdownNow();
        }
    }

    /**
     * Copies a queue would deliver again (the invocation failed, or answered with {@code batchItemFailures}), delivered
     * again one at a time until they are taken or the queue would give up on them.
     *
     * @return how many the queue gave up on: events lost, unless someone replays them from the dead-letter queue
     */
    static long givenUpAfterRedelivery(List<Delivery> deliveries) {
        long givenUp = 0;
        for (Delivery delivery : deliveries) {
            Delivery current = delivery;
            for (int tries = 0; !taken(current) && tries < REDELIVERIES; tries++) {
                current = redelivered(current);
            }
            givenUp += taken(current) ? 0 : 1;
        }
        return givenUp;
    }

    /** The same invocation once more, after the others: what a queue's or SNS's next delivery of it does. */
    static Delivery redelivered(Delivery delivery) {
        try {
            return new Delivery(delivery.invocation(), invoke(delivery.invocation()), null);
        } catch (Exception e) {
            return new Delivery(delivery.invocation(), null, e);
        }
    }

    private static boolean taken(Delivery delivery) {
        return !delivery.failed() && delivery.answer().path("batchItemFailures").isEmpty();
    }

    /** One invocation as Lambda makes it: the event's bytes in, the answer's out, a request id of its own. */
    static JsonNode invoke(Invocation invocation) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        invocation.handler().handleRequest(new ByteArrayInputStream(invocation.event().getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("gantry-reliability", 60_000));
        return JSON.readTree(output.toByteArray());
    }
}
