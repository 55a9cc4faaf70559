package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.lambda.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The gate sweep's schedule: EventBridge invokes gate-sweep every minute with a scheduled event; the local run does it
 * every {@link #PERIOD}, so a release whose gate passed is deployed without the wait.
 */
final class GateSweepSchedule implements AutoCloseable {

    static final Duration PERIOD = Duration.ofSeconds(1);
    static final String SCHEDULED_EVENT_SAMPLE = "gantry-scheduled-event-gate-sweep.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RequestStreamHandler gateSweep;
    private final ObjectNode sample;
    private final Clock clock;
    private final PrintStream problems;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "gate-sweep schedule");
        thread.setDaemon(true);
        return thread;
    });

    GateSweepSchedule(RequestStreamHandler gateSweep, Path events, Clock clock, PrintStream problems) {
        this.gateSweep = gateSweep;
        this.clock = clock;
        this.problems = problems;
        try {
            this.sample = (ObjectNode) JSON.readTree(events.resolve(SCHEDULED_EVENT_SAMPLE).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("the sample event " + SCHEDULED_EVENT_SAMPLE + " cannot be read", e);
        }
    }

    GateSweepSchedule start() {
        executor.scheduleWithFixedDelay(this::sweep, PERIOD.toMillis(), PERIOD.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweep() {
        ObjectNode event = sample.deepCopy().put("id", UUID.randomUUID().toString())
                .put("time", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        try {
            gateSweep.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), new ByteArrayOutputStream(),
                    new LocalContext("gantry-gate-sweep", 60_000));
        } catch (IOException | RuntimeException e) {
            // As on Lambda: the failed invocation is reported, and the next one a period later tries again.
            problems.println("local run: gate-sweep failed, the next sweep tries again: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
