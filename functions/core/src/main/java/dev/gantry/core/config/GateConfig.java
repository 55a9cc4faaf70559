package dev.gantry.core.config;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

/**
 * A named gate: checks a release must pass before entering an environment.
 *
 * @param name unique gate name, referred to by {@link EnvironmentConfig#gate()}
 * @param alarms CloudWatch alarms that must be OK; none when absent
 * @param soak how long the same digest must have run in the previous environment; none when absent
 * @param approvals people who must approve; none when absent
 * @param freezes windows in which releases are held
 * @param custom custom checks answering pass, wait or fail
 * @param minSteady how long all checks must keep passing; zero when absent
 * @param timeout how long the gate may wait for its checks; {@value #DEFAULT_TIMEOUT_TEXT} when absent
 * @param interval how often a waiting gate looks again when no check names an earlier time;
 *     {@value #DEFAULT_INTERVAL_TEXT} when absent
 * @param onTimeout what happens when the timeout passes without the gate passing; {@code fail} when absent
 */
public record GateConfig(
        String name,
        Alarms alarms,
        Duration soak,
        Approvals approvals,
        List<Freeze> freezes,
        List<CustomCheck> custom,
        Duration minSteady,
        Duration timeout,
        Duration interval,
        TimeoutAction onTimeout) {

    static final String DEFAULT_TIMEOUT_TEXT = "PT24H";
    public static final Duration DEFAULT_TIMEOUT = Duration.parse(DEFAULT_TIMEOUT_TEXT);
    static final String DEFAULT_INTERVAL_TEXT = "PT1M";
    public static final Duration DEFAULT_INTERVAL = Duration.parse(DEFAULT_INTERVAL_TEXT);

    public GateConfig {
        freezes = freezes == null ? List.of() : List.copyOf(freezes);
        custom = custom == null ? List.of() : List.copyOf(custom);
        minSteady = minSteady == null ? Duration.ZERO : minSteady;
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        interval = interval == null ? DEFAULT_INTERVAL : interval;
        onTimeout = onTimeout == null ? TimeoutAction.FAIL : onTimeout;
    }

    /** A gate with only a name and its checks, every option at its default: for tests and examples. */
    public static GateConfig of(String name, Alarms alarms, Duration soak, Approvals approvals, List<Freeze> freezes,
            List<CustomCheck> custom) {
        return new GateConfig(name, alarms, soak, approvals, freezes, custom, null, null, null, null);
    }

    /**
     * What a gate does when its timeout passes. Failing is the default because a release nobody cleared
     * must not drift into production; proceeding suits gates that only delay, such as a soak that may end
     * in a quiet period whose alarms nobody watches.
     */
    public enum TimeoutAction { FAIL, PROCEED }

    /** What an alarm in INSUFFICIENT_DATA means for the gate. */
    public enum InsufficientData { PASS, WAIT, FAIL }

    /**
     * @param names alarm names, composite alarms included
     * @param prefixes alarm name prefixes
     * @param insufficientData how INSUFFICIENT_DATA counts; {@code WAIT} when absent
     */
    public record Alarms(List<String> names, List<String> prefixes, InsufficientData insufficientData) {
        public Alarms {
            names = names == null ? List.of() : List.copyOf(names);
            prefixes = prefixes == null ? List.of() : List.copyOf(prefixes);
            insufficientData = insufficientData == null ? InsufficientData.WAIT : insufficientData;
        }
    }

    /**
     * @param required how many distinct approvers must approve; at least 1
     * @param users Slack user ids allowed to approve
     * @param groups Slack user-group ids whose members may approve
     * @param expiresAfter how long an approval stays valid; 24 hours when absent
     */
    public record Approvals(Integer required, List<String> users, List<String> groups, Duration expiresAfter) {
        public static final Duration DEFAULT_EXPIRY = Duration.ofHours(24);

        public Approvals {
            users = users == null ? List.of() : List.copyOf(users);
            groups = groups == null ? List.of() : List.copyOf(groups);
            expiresAfter = expiresAfter == null ? DEFAULT_EXPIRY : expiresAfter;
        }
    }

    /**
     * A change freeze: exactly one of a recurring window ({@code cron} with {@code duration}), a one-off
     * range ({@code from}, {@code until}) or an AWS Systems Manager Change Calendar.
     *
     * @param cron Unix cron (5 fields) giving the start of each window
     * @param duration length of each recurring window
     * @param timezone zone the cron is read in; UTC when absent
     * @param from start of a one-off freeze
     * @param until end of a one-off freeze, after {@code from}
     * @param changeCalendar name or ARN of an SSM Change Calendar
     */
    public record Freeze(String cron, Duration duration, ZoneId timezone, Instant from, Instant until, String changeCalendar) {
        public Freeze {
            timezone = timezone == null ? ZoneId.of("UTC") : timezone;
        }
    }

    /**
     * A check answered by someone else: exactly one of an HTTPS endpoint or a Lambda function.
     *
     * @param name name shown in evidence and in Slack
     * @param url HTTPS endpoint answering pass, wait or fail
     * @param lambda Lambda function name or ARN answering pass, wait or fail
     */
    public record CustomCheck(String name, String url, String lambda) {}
}
