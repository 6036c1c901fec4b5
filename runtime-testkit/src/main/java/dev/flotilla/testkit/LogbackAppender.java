package dev.flotilla.testkit;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.layout.TTLLLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import dev.flotilla.core.observability.CallContext;
import org.slf4j.LoggerFactory;

/**
 * The Logback side of {@link LogCapture}: an appender on the root logger that hands each service's lines to it.
 * Loaded only when Logback is SLF4J's backend (Logback is an optional dependency of the testkit).
 */
final class LogbackAppender extends AppenderBase<ILoggingEvent> {
    /** The name Logback's {@code BasicConfigurator} gives the console appender of its default configuration. */
    private static final String DEFAULT_CONSOLE = "console";

    private final LogCapture capture;

    private LogbackAppender(LogCapture capture) {
        this.capture = capture;
    }

    /** Lowers an unconfigured Logback to INFO, then adds an appender feeding {@code capture} to the root logger. */
    static LogbackAppender attach(LogCapture capture) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        infoUnlessConfigured(context);
        LogbackAppender appender = new LogbackAppender(capture);
        appender.setName("flotilla-testkit-" + System.identityHashCode(appender));
        appender.setContext(context);
        appender.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return appender;
    }

    /**
     * Sets the root logger to INFO when Logback runs on its own default configuration: no configuration file was
     * read ({@code logback-test.xml}, {@code logback.xml} or {@code -Dlogback.configurationFile}), and the root logger
     * still has that default's DEBUG level and single console appender. Logback's default is DEBUG, which buries a
     * test's output under the libraries' chatter; a project that configures Logback in any way keeps its setting.
     *
     * @param context the Logback context
     */
    static void infoUnlessConfigured(LoggerContext context) {
        if (ConfigurationWatchListUtil.getMainWatchURL(context) != null) {
            return;
        }
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        if (root.getLevel() != Level.DEBUG) {
            return;
        }
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            Appender<ILoggingEvent> appender = it.next();
            if (!(appender instanceof LogbackAppender)) {
                appenders.add(appender);
            }
        }
        if (appenders.size() == 1 && appenders.getFirst() instanceof ConsoleAppender<ILoggingEvent> console
                && DEFAULT_CONSOLE.equals(console.getName())
                && console.getEncoder() instanceof LayoutWrappingEncoder<ILoggingEvent> encoder
                && encoder.getLayout() instanceof TTLLLayout) {
            root.setLevel(Level.INFO);
        }
    }

    /** Removes this appender from the root logger and stops it. */
    void detach() {
        ((LoggerContext) getContext()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        String service = event.getMDCPropertyMap().get(CallContext.MDC_SERVICE);
        if (service == null) {
            return;
        }
        capture.record(service, new LogLine(event.getTimeStamp(), event.getLevel().toString(), event.getLoggerName(),
                                            event.getFormattedMessage(), Map.copyOf(event.getMDCPropertyMap()),
                                            event.getThrowableProxy() == null ? null
                                                    : event.getThrowableProxy().getClassName() + ": "
                                                    + event.getThrowableProxy().getMessage()));
    }
}
