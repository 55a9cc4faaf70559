package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Decides the soak check: the same digest has run in the previous environment for the soak time, with the
 * gate's alarms quiet all along.
 *
 * <p>The soak starts when the digest's rollout in the previous environment completed. Quiet means every
 * watched alarm is OK and has been since the soak started: an alarm that changed state during the soak
 * restarts the count from its change, because CloudWatch's current state alone cannot tell a brief
 * ALARM from a brief INSUFFICIENT_DATA, and a soak is only worth its time if nothing stirred. A digest
 * that the previous environment replaced before the soak was over fails: it will never complete it.
 */
public final class SoakCheck {

    static final String CHECK = "soak";

    /**
     * @param key the release at the gate
     * @param previousEnvironment the environment before the gated one, or null when it is the first
     * @param previousHistory every release of the previous environment, newest first
     * @param alarms the gate's alarms as read for this evaluation; null when the gate watches none or they
     *     could not be read (then {@code alarmsUnreadable} is true)
     */
    public CheckResult evaluate(ReleaseKey key, Duration soak, String previousEnvironment, List<Release> previousHistory,
            List<AlarmStates.AlarmState> alarms, boolean alarmsUnreadable, Instant now, Duration interval) {
        return evaluate(key, soak, previousEnvironment, previousHistory, alarms, alarmsUnreadable, GateConfig.InsufficientData.WAIT, now,
                interval);
    }

    /**
     * @param insufficientData how the gate counts an alarm without data: with {@code PASS}, such an alarm does not
     *     interrupt the soak (a low-traffic alarm may sit there for good); its last change still restarts the count
     */
    public CheckResult evaluate(ReleaseKey key, Duration soak, String previousEnvironment, List<Release> previousHistory,
            List<AlarmStates.AlarmState> alarms, boolean alarmsUnreadable, GateConfig.InsufficientData insufficientData, Instant now,
            Duration interval) {
        if (previousEnvironment == null) {
            return CheckResult.fail(CHECK, key.environment() + " is the first environment of " + key.service()
                    + ": there is nowhere for it to soak first", List.of());
        }
        String where = previousEnvironment;
        Optional<Release> there = previousHistory.stream()
                .filter(r -> r.key().digest().equals(key.digest()))
                .findFirst();
        if (there.isEmpty() || there.get().status() != ReleaseStatus.SERVICE_UPDATED) {
            return CheckResult.waitUntil(CHECK, key.digest().shortForm() + " has not been deployed to " + where + " yet",
                    now.plus(interval), List.of("no completed release of " + key.digest().shortForm() + " in " + where));
        }
        Release release = there.get();
        if (release.rolloutStatus() != RolloutStatus.COMPLETED) {
            if (release.rolloutStatus() == RolloutStatus.FAILED || release.rolloutStatus() == RolloutStatus.ROLLED_BACK) {
                return CheckResult.fail(CHECK, "the rollout of " + key.digest().shortForm() + " in " + where + " ended "
                        + release.rolloutStatus() + (release.rolloutReason() == null ? "" : ": " + release.rolloutReason()), List.of());
            }
            return CheckResult.waitUntil(CHECK, "the rollout of " + key.digest().shortForm() + " in " + where + " has not completed",
                    now.plus(interval), List.of("rollout in " + where + ": " + release.rolloutStatus()));
        }
        Instant started = release.updatedAt();
        List<String> evidence = new ArrayList<>();
        evidence.add(key.digest().shortForm() + " completed its rollout in " + where + " at " + started);

        // Any later release that reached the service replaced this one, even one claimed before this rollout's
        // completion was recorded: rollouts overlap, and completion events arrive late. One that ECS rolled back (or
        // that failed) did not: the service went back to this digest, and the alarms it stirred restart the count below.
        // A rollback to an older release enters it again, so it is ordered by when it entered, not when it was first made.
        Optional<Release> replacement = previousHistory.stream()
                .filter(r -> !r.key().digest().equals(key.digest()) && r.status() == ReleaseStatus.SERVICE_UPDATED
                        && r.enteredAt().isAfter(release.enteredAt())
                        && r.rolloutStatus() != RolloutStatus.ROLLED_BACK && r.rolloutStatus() != RolloutStatus.FAILED)
                .min(Comparator.comparing(Release::enteredAt));
        if (replacement.isPresent() && replacement.get().rolloutStatus() != RolloutStatus.COMPLETED) {
            // Still rolling out: it may yet roll back and leave this digest running, so the soak is not over either way.
            evidence.add("a newer release, " + replacement.get().key().digest().shortForm() + ", is rolling out in " + where);
            return CheckResult.waitUntil(CHECK, "a newer release is rolling out in " + where + "; the soak resumes if it rolls back",
                    now.plus(interval), evidence);
        }
        if (replacement.isPresent()) {
            Duration ran = Duration.between(started, replacement.get().enteredAt());
            ran = ran.isNegative() ? Duration.ZERO : ran;
            evidence.add("replaced in " + where + " by " + replacement.get().key().digest().shortForm() + " at "
                    + replacement.get().enteredAt() + " after " + ran);
            if (ran.compareTo(soak) >= 0) {
                return CheckResult.pass(CHECK, evidence);
            }
            return CheckResult.fail(CHECK, "replaced in " + where + " after " + ran + ", before its soak of " + soak + " was over",
                    evidence);
        }

        if (alarmsUnreadable) {
            return CheckResult.unanswered(CHECK, "alarms could not be read to tell whether the soak was quiet", now.plus(interval),
                    evidence);
        }
        Instant quietSince = started;
        if (alarms != null) {
            for (AlarmStates.AlarmState alarm : alarms) {
                boolean quiet = alarm.state() == AlarmStates.State.OK
                        || (alarm.state() == AlarmStates.State.INSUFFICIENT_DATA && insufficientData == GateConfig.InsufficientData.PASS);
                if (!quiet) {
                    evidence.add("alarm " + alarm.name() + " is " + alarm.state() + ": the soak restarts when it is OK again");
                    return CheckResult.waitUntil(CHECK, "soak interrupted: " + alarm.name() + " is " + alarm.state(),
                            now.plus(interval), evidence);
                }
                if (alarm.updatedAt() != null && alarm.updatedAt().isAfter(quietSince)) {
                    quietSince = alarm.updatedAt();
                    evidence.add("alarm " + alarm.name() + " changed state at " + alarm.updatedAt() + ": quiet since then");
                }
            }
        }
        Instant soakedAt = quietSince.plus(soak);
        if (!now.isBefore(soakedAt)) {
            evidence.add("quiet in " + where + " since " + quietSince + ", " + Duration.between(quietSince, now) + " of " + soak);
            return CheckResult.pass(CHECK, evidence);
        }
        evidence.add("quiet in " + where + " since " + quietSince + "; soaked at " + soakedAt);
        return CheckResult.waitUntil(CHECK, "soaking in " + where + " until " + soakedAt, soakedAt, evidence);
    }
}
