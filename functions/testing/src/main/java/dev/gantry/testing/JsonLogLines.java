package dev.gantry.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.StringLayout;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * The lines Gantry's loggers write while this is open, rendered by the layout the function's own Log4j configuration
 * gives them (Powertools' JSON layout in every function module), so a test reads the fields CloudWatch metric filters
 * match. Every thread's events are captured; close it to stop. Needs Log4j on the classpath, as the function modules
 * have it.
 */
public final class JsonLogLines implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GANTRY_LOGGER = "dev.gantry";
    private static final AtomicInteger OPENED = new AtomicInteger();

    private final StringWriter written = new StringWriter();
    private final LoggerContext context;
    private final LoggerConfig gantry;
    private final WriterAppender appender;

    private JsonLogLines() {
        this.context = (LoggerContext) LogManager.getContext(false);
        this.gantry = context.getConfiguration().getLoggerConfig(GANTRY_LOGGER);
        StringLayout layout = gantry.getAppenders().values().stream()
                .map(Appender::getLayout)
                .filter(StringLayout.class::isInstance)
                .map(StringLayout.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("logger " + gantry.getName() + " has no appender with a text layout to copy"));
        this.appender = WriterAppender.createAppender(layout, null, written, "json-log-lines-" + OPENED.incrementAndGet(), false, true);
        appender.start();
        gantry.addAppender(appender, null, null);
        context.updateLoggers();
    }

    public static JsonLogLines capture() {
        return new JsonLogLines();
    }

    /** Every line written so far, in order. */
    public List<JsonNode> lines() {
        return written.toString().lines().filter(line -> !line.isBlank()).map(JsonLogLines::parse).toList();
    }

    /** The lines whose {@code message} starts with {@code prefix}, in order. */
    public List<JsonNode> withMessageStartingWith(String prefix) {
        return lines().stream().filter(line -> line.path("message").asText().startsWith(prefix)).toList();
    }

    @Override
    public void close() {
        gantry.removeAppender(appender.getName());
        context.updateLoggers();
        appender.stop();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not a JSON log line: " + line, e);
        }
    }
}
