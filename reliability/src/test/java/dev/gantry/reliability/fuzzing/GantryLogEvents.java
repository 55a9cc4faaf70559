package dev.gantry.reliability.fuzzing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * What Gantry's loggers say while it is open, kept in memory in place of the functions' own appenders: a handler that
 * swallows an exception still logs it, and that is where the fuzzing finds it. Tens of thousands of rejected events
 * printed as JSON lines, some a megabyte long, would also bury the build's output.
 */
final class GantryLogEvents implements AutoCloseable {

    /** @param thrown the exception logged with the line; null when none was */
    record Logged(String logger, Level level, String message, Throwable thrown) {}

    private static final String GANTRY_LOGGER = "dev.gantry";

    private final LoggerContext context;
    private final LoggerConfig gantry;
    private final Map<String, Appender> displaced;
    private final AbstractAppender keeper;
    private final List<Logged> kept = new ArrayList<>();

    private GantryLogEvents() {
        context = (LoggerContext) LogManager.getContext(false);
        gantry = context.getConfiguration().getLoggerConfig(GANTRY_LOGGER);
        if (!GANTRY_LOGGER.equals(gantry.getName())) {
            throw new IllegalStateException("no " + GANTRY_LOGGER + " logger is configured; found " + gantry.getName());
        }
        displaced = new LinkedHashMap<>(gantry.getAppenders());
        displaced.keySet().forEach(gantry::removeAppender);
        keeper = new AbstractAppender("gantry-fuzzing-log-events", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                synchronized (kept) {
                    kept.add(new Logged(event.getLoggerName(), event.getLevel(), event.getMessage().getFormattedMessage(), event.getThrown()));
                }
            }
        };
        keeper.start();
        gantry.addAppender(keeper, null, null);
        context.updateLoggers();
    }

    static GantryLogEvents capture() {
        return new GantryLogEvents();
    }

    /** The lines logged since the last call, and forgets them. */
    List<Logged> drain() {
        synchronized (kept) {
            List<Logged> drained = List.copyOf(kept);
            kept.clear();
            return drained;
        }
    }

    @Override
    public void close() {
        gantry.removeAppender(keeper.getName());
        displaced.values().forEach(appender -> gantry.addAppender(appender, null, null));
        context.updateLoggers();
        keeper.stop();
    }
}
