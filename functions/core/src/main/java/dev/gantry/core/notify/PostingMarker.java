package dev.gantry.core.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A headline post set out on: saved with its thread before the chat service is asked to post, and carried by the
 * message itself, so that a later delivery that finds the marker without the headline's timestamp looks the message
 * up instead of posting a second one (decision 25).
 *
 * @param id names the delivery that set out to post (its lease owner)
 * @param at when it was saved, by the notifier's clock
 */
public record PostingMarker(String id, Instant at) {

    /**
     * How long after {@link #at} the post can be made: the delivery that saved the marker makes it, and no invocation
     * runs longer than 15 minutes (Lambda's limit).
     */
    public static final Duration POSTED_WITHIN = Duration.ofMinutes(15);

    /** Room for the notifier's clock and the chat service's to disagree. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    public PostingMarker {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a posting marker needs an id");
        }
        Objects.requireNonNull(at, "at");
    }

    /** The earliest the chat service can have stamped a message posted under this marker. */
    public Instant earliestPost() {
        return at.minus(CLOCK_SKEW);
    }

    /** The latest the chat service can have stamped a message posted under this marker. */
    public Instant latestPost() {
        return at.plus(POSTED_WITHIN).plus(CLOCK_SKEW);
    }
}
