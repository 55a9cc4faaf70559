package dev.gantry.fn.interactions;

import com.amazonaws.services.lambda.runtime.Context;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringWriter;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;

/**
 * The slack-interactions function's log: one JSON line per event on stderr, with the fields Powertools' layout gives
 * the other functions' lines ({@code level}, {@code message}, {@code service}, {@code function_name},
 * {@code function_request_id}, {@code timestamp}), so one Logs Insights query reads them all.
 *
 * <p>Why not Log4j with Powertools' layout, as the ChatOps worker and notifier: this function writes about one line per
 * request, and starting Log4j is a cold-start cost it pays inside Slack's 3 seconds. Measured when it shared the ChatOps
 * jar (fresh JVM, loopback AWS, runs interleaved, medians): with SLF4J bound to Log4j, the handler answered 417 ms from
 * process start instead of 248, and {@code scripts/bench slack-ack} took 452 ms instead of 381. Its own jar carries no
 * Log4j (decision 34), and SLF4J is bound to no provider ({@link #leaveSdkLoggingOff}).
 *
 * <p>Level: {@code POWERTOOLS_LOG_LEVEL}, else {@code AWS_LAMBDA_LOG_LEVEL}, the level Lambda sets from the function's
 * application log level, as Powertools itself reads them (default {@code INFO}, an unknown name counts as {@code INFO}); service:
 * {@code POWERTOOLS_SERVICE_NAME}, left out when unset.
 */
final class AckLog {

    static final String LEVEL_ENV = "POWERTOOLS_LOG_LEVEL";
    static final String LAMBDA_LEVEL_ENV = "AWS_LAMBDA_LOG_LEVEL";
    static final String SERVICE_ENV = "POWERTOOLS_SERVICE_NAME";

    /** SLF4J 2's switches: which provider to bind, and how much it says about binding. */
    static final String SLF4J_PROVIDER = "slf4j.provider";
    static final String SLF4J_NO_OP_PROVIDER = "org.slf4j.helpers.NOP_FallbackServiceProvider";
    static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

    enum Level { TRACE, DEBUG, INFO, WARN, ERROR }

    private static final JsonFactory JSON = new JsonFactory();

    private final Level threshold;
    private final String service;
    private final PrintStream out;
    private final Clock clock;

    AckLog(Level threshold, String service, PrintStream out, Clock clock) {
        this.threshold = threshold;
        this.service = service;
        this.out = out;
        this.clock = clock;
    }

    static AckLog fromEnvironment(Map<String, String> environment) {
        String service = environment.get(SERVICE_ENV);
        return new AckLog(levelFrom(environment), service == null || service.isBlank() ? null : service.strip(), System.err,
                Clock.systemUTC());
    }

    /** Powertools' own order: its variable when set, else the application log level Lambda was configured with. */
    static Level levelFrom(Map<String, String> environment) {
        return level(environment.getOrDefault(LEVEL_ENV, environment.get(LAMBDA_LEVEL_ENV)));
    }

    static Level level(String name) {
        if (name == null) {
            return Level.INFO;
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        for (Level level : Level.values()) {
            if (level.name().equals(upper)) {
                return level;
            }
        }
        return "WARNING".equals(upper) ? Level.WARN : Level.INFO;
    }

    /**
     * The SDK's signer logs through SLF4J, and the first SLF4J logger in a JVM binds SLF4J to a provider. This jar has
     * none, so unless one was chosen with {@code -Dslf4j.provider} SLF4J is bound to its no-op provider, at every level:
     * at DEBUG the signer writes each canonical request, the session token in it (the other functions' log4j2.xml holds
     * the SDK at INFO for the same reason), and it reports failures as exceptions, which this function logs itself.
     * Binding it here also keeps SLF4J's complaint that it found no provider off stderr. Lambda runs one function per
     * JVM, so this reaches no other function; it must run before anything touches SLF4J, and has no effect after.
     */
    static void leaveSdkLoggingOff() {
        if (System.getProperty(SLF4J_PROVIDER) == null) {
            System.setProperty(SLF4J_PROVIDER, SLF4J_NO_OP_PROVIDER);
            if (System.getProperty(SLF4J_VERBOSITY) == null) {
                // Otherwise SLF4J announces the chosen provider on stderr, a line that is not JSON, every cold start.
                System.setProperty(SLF4J_VERBOSITY, "WARN");
            }
        }
    }

    void info(Context context, String message) {
        write(Level.INFO, context, message);
    }

    void warn(Context context, String message) {
        write(Level.WARN, context, message);
    }

    void error(Context context, String message) {
        write(Level.ERROR, context, message);
    }

    private void write(Level level, Context context, String message) {
        if (level.compareTo(threshold) < 0) {
            return;
        }
        StringWriter line = new StringWriter(160 + message.length());
        try (JsonGenerator json = JSON.createGenerator(line)) {
            json.writeStartObject();
            json.writeStringField("level", level.name());
            json.writeStringField("message", message);
            if (service != null) {
                json.writeStringField("service", service);
            }
            if (context != null) {
                json.writeStringField("function_name", context.getFunctionName());
                json.writeStringField("function_request_id", context.getAwsRequestId());
            }
            json.writeStringField("timestamp", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
            json.writeEndObject();
        } catch (IOException e) {
            // A StringWriter does not fail; the line is lost rather than the request.
            return;
        }
        out.println(line);
    }
}
