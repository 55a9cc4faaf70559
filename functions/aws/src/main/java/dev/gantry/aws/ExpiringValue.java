package dev.gantry.aws;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value read on first use and read again once it is {@code keepFor} old: how Gantry holds secrets, so nothing secret
 * is read at init (or captured in a snapshot), and a rotated secret is picked up without a redeploy. A failed read
 * keeps nothing, so the next call tries again.
 */
public final class ExpiringValue<T> implements Supplier<T> {

    private final Supplier<T> read;
    private final Duration keepFor;
    private final Clock clock;
    private T value;
    private Instant readAt;

    public ExpiringValue(Supplier<T> read, Duration keepFor, Clock clock) {
        this.read = Objects.requireNonNull(read, "read");
        this.keepFor = Objects.requireNonNull(keepFor, "keepFor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Synchronized so that callers arriving together share one read. */
    @Override
    public synchronized T get() {
        Instant now = clock.instant();
        if (value == null || !now.isBefore(readAt.plus(keepFor))) {
            value = read.get();
            readAt = now;
        }
        return value;
    }

    /** Drops the value held, so that the next {@link #get} reads it again: for a value found wrong before it expired. */
    public synchronized void forget() {
        value = null;
        readAt = null;
    }
}
