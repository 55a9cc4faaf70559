package dev.gantry.testing;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.StringLayout;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.AppenderRef;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.ConfigurationFactory;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;

/**
 * What a function's own {@code log4j2.xml} writes once Powertools has set every logger to the function's level, as it
 * does from {@code POWERTOOLS_LOG_LEVEL} or Lambda's application log level ({@code Configurator.setAllLevels} from the
 * root). The configuration is loaded into a logger context of its own, and each of its appenders is stood in for by one
 * writing to a buffer with the same layout, level and filter, so a test reads what Lambda would receive. Needs Log4j on
 * the classpath, as the function modules have it.
 */
public final class ShippedLogConfiguration {

    private ShippedLogConfiguration() {}

    /**
     * Writes one line at each of {@code levels} through the logger {@code loggerName}, each line saying {@code
     * "<loggerName> at <level>"}, with every logger set to {@code functionLevel}.
     *
     * @return what the function's appenders wrote
     */
    public static String writtenAt(Level functionLevel, String loggerName, Level... levels) {
        ConfigurationSource source = ConfigurationSource.fromResource("log4j2.xml", Thread.currentThread().getContextClassLoader());
        if (source == null) {
            throw new IllegalStateException("no log4j2.xml on the classpath");
        }
        StringWriter written = new StringWriter();
        LoggerContext context = new LoggerContext("shipped-log-configuration");
        try {
            context.start(ConfigurationFactory.getInstance().getConfiguration(context, source));
            Configuration configuration = context.getConfiguration();
            List<LoggerConfig> loggers = new ArrayList<>(configuration.getLoggers().values());
            loggers.add(configuration.getRootLogger());
            for (LoggerConfig logger : loggers) {
                logger.setLevel(functionLevel);
                for (AppenderRef ref : logger.getAppenderRefs()) {
                    Appender shipped = configuration.getAppender(ref.getRef());
                    WriterAppender standIn = WriterAppender.createAppender((StringLayout) shipped.getLayout(), null, written,
                            shipped.getName() + "-stand-in-" + logger.getName(), false, true);
                    standIn.start();
                    logger.removeAppender(ref.getRef());
                    logger.addAppender(standIn, ref.getLevel(), ref.getFilter());
                }
            }
            context.updateLoggers();
            Logger logger = context.getLogger(loggerName);
            for (Level level : levels) {
                logger.log(level, loggerName + " at " + level);
            }
        } finally {
            context.stop();
        }
        return written.toString();
    }
}
