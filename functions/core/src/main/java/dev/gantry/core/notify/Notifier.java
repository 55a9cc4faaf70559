package dev.gantry.core.notify;

import java.util.List;

/**
 * Where Gantry's functions hand their news: a queue in front of the notify function, so that a slow or rate-limited
 * Slack never holds up a deploy or a gate. Telling is fire-and-forget for the caller; delivery, dedupe and retries
 * are the notify side's.
 *
 * <p>Errors: an implementation throws when it could not take the news (the queue is unreachable); the caller decides
 * whether that fails its own work. {@link #NONE} never throws.
 */
public interface Notifier {

    /** For when Slack is not configured: news goes nowhere. */
    Notifier NONE = news -> {};

    void tell(ReleaseNews news);

    default void tellAll(List<? extends ReleaseNews> news) {
        news.forEach(this::tell);
    }
}
