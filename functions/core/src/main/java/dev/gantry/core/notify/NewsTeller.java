package dev.gantry.core.notify;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tells the news of work already done; what goes wrong while reading or telling it is logged, never thrown. */
public final class NewsTeller {

    /**
     * The JSON field of the log line saying news was not told, whose value says of what: Gantry's operations alarm on
     * it (a release thread missing its lines is invisible otherwise, the invocation having succeeded).
     */
    public static final String UNTOLD_LOG_FIELD = "newsUntold";

    private static final Logger LOG = LoggerFactory.getLogger(NewsTeller.class);

    private final Notifier notifier;

    public NewsTeller(Notifier notifier) {
        this.notifier = Objects.requireNonNull(notifier, "notifier");
    }

    /** False when nothing listens (Slack is not configured, or a dry run): then the reads news takes are spared too. */
    public boolean listening() {
        return notifier != Notifier.NONE;
    }

    /** @param after what the news is of, for the log line when it could not be told */
    public void tell(String after, Supplier<? extends List<? extends ReleaseNews>> news) {
        if (!listening()) {
            return;
        }
        try {
            notifier.tellAll(news.get());
        } catch (RuntimeException e) {
            // The work stands (a service was moved, a rollout recorded): failing the invocation now would retry the
            // work, not the telling, and a release thread missing a line is the lesser harm.
            LOG.atError().addKeyValue(UNTOLD_LOG_FIELD, after).setCause(e)
                    .log("the news of {} was not told: {}", after, e.getMessage());
        }
    }
}
