package dev.gantry.core.chatops;

import java.time.Instant;
import java.util.List;

/**
 * Freezes turned on and off from Slack ({@code /gantry freeze on|off}), at most one per scope: an environment name, or
 * {@link ManualFreeze#EVERY_ENVIRONMENT}. The gates' freeze check reads them; Gantry's commands write them.
 *
 * <p>Contract (DynamoDB: {@code pk = FREEZES}, {@code sk = <scope>}; one partition, because every gate evaluation reads
 * them all): {@link #put} replaces the scope's freeze; {@link #lift} deletes it; {@link #all} is a consistent read of
 * every stored freeze, ended ones included (an ended freeze holds nothing; the store may let TTL remove it a day after
 * {@code until}). Implementations translate their own failures into {@link ManualFreezesException}; a gate that cannot
 * read them counts its environment as frozen until it can.
 */
public interface ManualFreezes {

    void put(ManualFreeze freeze);

    /** Deletes the freeze of {@code scope}; nothing happens when there is none. */
    void lift(String scope);

    List<ManualFreeze> all();

    /** The freezes that hold {@code environment} at {@code now}. */
    default List<ManualFreeze> activeFor(String environment, Instant now) {
        return all().stream().filter(f -> f.covers(environment) && f.activeAt(now)).toList();
    }

    /** No manual freezes, ever: for a gate wired without Slack. */
    static ManualFreezes none() {
        return new ManualFreezes() {
            @Override
            public void put(ManualFreeze freeze) {
                throw new UnsupportedOperationException("manual freezes are not wired");
            }

            @Override
            public void lift(String scope) {
                throw new UnsupportedOperationException("manual freezes are not wired");
            }

            @Override
            public List<ManualFreeze> all() {
                return List.of();
            }
        };
    }

    class ManualFreezesException extends RuntimeException {
        public ManualFreezesException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
