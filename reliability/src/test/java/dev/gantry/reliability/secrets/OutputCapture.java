package dev.gantry.reliability.secrets;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Layout;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.StringLayout;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * Everything this JVM writes while open: every Log4j event that reaches the function's own appenders, whichever logger
 * wrote it (the AWS SDK's, Powertools', Gantry's), {@code java.util.logging}, and whatever reaches {@code System.out} and
 * {@code System.err} directly (the Slack acknowledgement path's own log, a stack trace printed by anything).
 *
 * <p>Every Log4j logger, the root and the AWS SDK's included, is first set to TRACE the way Powertools sets them from
 * {@code POWERTOOLS_LOG_LEVEL} or Lambda's application log level ({@code Configurator.setAllLevels} from the root): the
 * most the functions' one log switch can make them say. What the function's {@code log4j2.xml} sends its appenders is
 * then captured, in its appenders' place and with the same thresholds their references have, and rendered twice: with
 * the layout the function ships (what CloudWatch receives), and with a pattern that prints the logger, the MDC and the
 * whole exception chain.
 * {@code java.util.logging} keeps its levels: Gantry does not configure it, and no switch of the function raises it.
 *
 * <p>The loopback servers' own loggers (WireMock and its Jetty) are held at WARN and left out: they see the requests
 * on the wire, Authorization headers included, as AWS and Slack do.
 */
final class OutputCapture implements AutoCloseable {

    static final String GANTRY_LOGGER = "dev.gantry";
    private static final List<String> LOOPBACK_LOGGERS = List.of("wiremock", "com.github.tomakehurst.wiremock", "org.eclipse.jetty");

    private final LoggerContext context;
    private final Configuration configuration;
    private final Appender appender;
    private final Map<LoggerConfig, Level> raised = new HashMap<>();
    private final List<LoggerConfig> given = new ArrayList<>();
    private final List<String> log4jLines = new ArrayList<>();
    private final List<String> julLines = new ArrayList<>();
    private final Handler julHandler;
    private final PrintStream originalOut = System.out;
    private final PrintStream originalErr = System.err;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private OutputCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        configuration = context.getConfiguration();
        StringLayout shipped = shippedLayout(configuration);
        StringLayout everything = PatternLayout.newBuilder().withConfiguration(configuration)
                .withPattern("%c %p [%t] %m %X%n%throwable").build();
        appender = new LineAppender("secrets-never-logged", shipped, everything, log4jLines);
        appender.start();
        configuration.addAppender(appender);
        List<LoggerConfig> loggers = new ArrayList<>(configuration.getLoggers().values());
        if (!loggers.contains(configuration.getRootLogger())) {
            loggers.add(configuration.getRootLogger());
        }
        for (LoggerConfig logger : loggers) {
            raised.put(logger, logger.getExplicitLevel());
            logger.setLevel(Level.ALL);
            // In the shipped appenders' place, so that the build's own output is not flooded with what is captured here.
            for (AppenderRef shippedRef : logger.getAppenderRefs()) {
                logger.removeAppender(shippedRef.getRef());
                logger.addAppender(appender, shippedRef.getLevel(), shippedRef.getFilter());
            }
        }
        for (String loopback : LOOPBACK_LOGGERS) {
            LoggerConfig quiet = LoggerConfig.newBuilder().withLoggerName(loopback).withLevel(Level.WARN).withAdditivity(false)
                    .withConfig(configuration).build();
            configuration.addLogger(loopback, quiet);
            given.add(quiet);
        }
        context.updateLoggers();
        julHandler = new Handler() {
            private final SimpleFormatter format = new SimpleFormatter();

            @Override
            public void publish(LogRecord record) {
                if (isLoggable(record)) {
                    synchronized (julLines) {
                        julLines.add(record.getLoggerName() + " " + format.format(record));
                    }
                }
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        java.util.logging.Logger.getLogger("").addHandler(julHandler);
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    static OutputCapture start() {
        return new OutputCapture();
    }

    /** Every line written so far, loopback servers' aside: Log4j events, then JUL records, then stdout and stderr. */
    List<String> lines() {
        List<String> lines = new ArrayList<>();
        synchronized (log4jLines) {
            lines.addAll(log4jLines);
        }
        synchronized (julLines) {
            lines.addAll(julLines);
        }
        synchronized (out) {
            out.toString(StandardCharsets.UTF_8).lines().forEach(lines::add);
        }
        synchronized (err) {
            err.toString(StandardCharsets.UTF_8).lines().forEach(lines::add);
        }
        return lines;
    }

    /** Forgets what was written so far, so the next {@link #lines()} holds only what follows. */
    void clear() {
        synchronized (log4jLines) {
            log4jLines.clear();
        }
        synchronized (julLines) {
            julLines.clear();
        }
        synchronized (out) {
            out.reset();
        }
        synchronized (err) {
            err.reset();
        }
    }

    @Override
    public void close() {
        System.setOut(originalOut);
        System.setErr(originalErr);
        java.util.logging.Logger.getLogger("").removeHandler(julHandler);
        raised.forEach((logger, level) -> {
            logger.removeAppender(appender.getName());
            for (AppenderRef shippedRef : logger.getAppenderRefs()) {
                logger.addAppender(configuration.getAppender(shippedRef.getRef()), shippedRef.getLevel(), shippedRef.getFilter());
            }
            logger.setLevel(level);
        });
        for (LoggerConfig quiet : given) {
            configuration.removeLogger(quiet.getName());
        }
        context.updateLoggers();
        appender.stop();
    }

    private static StringLayout shippedLayout(Configuration configuration) {
        if (!configuration.getLoggers().containsKey(GANTRY_LOGGER)) {
            throw new IllegalStateException("the log configuration in effect (" + configuration.getName() + ") is not a function's: it"
                    + " names no " + GANTRY_LOGGER + " logger");
        }
        return configuration.getLoggerConfig(GANTRY_LOGGER).getAppenders().values().stream()
                .map(Appender::getLayout)
                .filter(StringLayout.class::isInstance)
                .map(StringLayout.class::cast)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the function's log4j2.xml gives " + GANTRY_LOGGER + " no text layout"));
    }

    private static final class LineAppender extends AbstractAppender {

        private final StringLayout shipped;
        private final StringLayout everything;
        private final List<String> lines;

        LineAppender(String name, StringLayout shipped, Layout<? extends Serializable> everything, List<String> lines) {
            super(name, null, null, true, Property.EMPTY_ARRAY);
            this.shipped = shipped;
            this.everything = (StringLayout) everything;
            this.lines = lines;
        }

        @Override
        public void append(LogEvent event) {
            for (String loopback : LOOPBACK_LOGGERS) {
                if (event.getLoggerName() != null && event.getLoggerName().startsWith(loopback)) {
                    return;
                }
            }
            LogEvent frozen = event.toImmutable();
            String line = shipped.toSerializable(frozen) + everything.toSerializable(frozen);
            synchronized (lines) {
                lines.add(line);
            }
        }
    }
}
