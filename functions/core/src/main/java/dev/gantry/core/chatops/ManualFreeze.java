package dev.gantry.core.chatops;

import java.time.Instant;
import java.util.Objects;

/**
 * A freeze someone turned on from Slack: it holds releases at every gate of its environment, whatever the service,
 * exactly like a configured freeze window, until it is lifted or its {@code until} passes.
 *
 * @param scope the environment name, or {@link #EVERY_ENVIRONMENT}
 * @param until when it ends by itself; null: until lifted
 * @param reason why, as its author wrote it; may be empty
 * @param by who turned it on (Slack user id)
 * @param at when
 */
public record ManualFreeze(String scope, Instant until, String reason, String by, Instant at) {

    /** The scope of a freeze on every environment of every service. */
    public static final String EVERY_ENVIRONMENT = "*";

    public ManualFreeze {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(at, "at");
        reason = reason == null ? "" : reason;
    }

    public boolean covers(String environment) {
        return scope.equals(EVERY_ENVIRONMENT) || scope.equals(environment);
    }

    /** Active until {@code until}: at that exact instant it has ended, as a freeze window does. */
    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }

    /** {@code manual freeze of prod by U0123ABCD at 2026-11-23T10:00:00Z until lifted: incident 4711}. */
    public String describe() {
        return "manual freeze of " + (scope.equals(EVERY_ENVIRONMENT) ? "every environment" : scope) + " by " + by + " at " + at
                + (until == null ? " until lifted" : " until " + until) + (reason.isBlank() ? "" : ": " + reason);
    }
}
