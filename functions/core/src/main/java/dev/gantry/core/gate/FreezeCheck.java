package dev.gantry.core.gate;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides the freeze check: recurring and one-off windows (through {@link FreezeCalendar}), SSM Change
 * Calendars, and break-glass.
 *
 * <p>A frozen release waits "held until" the freeze opens; it never fails for being frozen. Break-glass lets
 * it through a freeze when {@value #BREAK_GLASS_APPROVERS} distinct allowed approvers each recorded a
 * break-glass decision with a reason on this digest; the person who triggered the release cannot be one of
 * them, for the same reason they cannot approve it. Break-glass does not expire: it answers one freeze for
 * one digest, and the gate passes at once when it is given.
 *
 * <p>A change calendar that cannot be read counts as closed until it can: an unknown state must not let a
 * release into a freeze.
 *
 * <p>Manual freezes (turned on from Slack, {@link ManualFreezes}) hold a release like a configured window: held until
 * their {@code until}, or until lifted when they have none, break-glass included. Unreadable manual freezes count as a
 * freeze, for the same reason as an unreadable calendar.
 */
public final class FreezeCheck {

    static final String CHECK = "freeze";
    public static final int BREAK_GLASS_APPROVERS = 2;

    private final ManualFreezes manualFreezes;

    /** A check of the configured freezes only. */
    public FreezeCheck() {
        this(ManualFreezes.none());
    }

    /** A check of the configured freezes and of the manual freezes in {@code manualFreezes}. */
    public FreezeCheck(ManualFreezes manualFreezes) {
        this.manualFreezes = manualFreezes;
    }

    /**
     * As {@link #evaluate(String, GateConfig, Map, List, ImageDigest, Set, Set, Instant, Duration)} without knowing the
     * environment: only manual freezes of every environment apply.
     */
    public CheckResult evaluate(GateConfig gate, Map<String, CalendarReading> calendarStates, List<Approval> decisions,
            ImageDigest digest, Set<String> allowedApprovers, Set<String> triggeredBy, Instant now, Duration interval) {
        return evaluate(null, gate, calendarStates, decisions, digest, allowedApprovers, triggeredBy, now, interval);
    }

    /**
     * @param environment the environment the release waits to enter: its manual freezes, and those of every
     *     environment, apply; null for only the latter
     * @param calendarStates each configured change calendar's state, by name, or the error reading it
     * @param allowedApprovers who may approve this gate, groups resolved; break-glass needs two of them
     * @param triggeredBy the Slack user ids of whoever triggered the release
     */
    public CheckResult evaluate(String environment, GateConfig gate, Map<String, CalendarReading> calendarStates, List<Approval> decisions,
            ImageDigest digest, Set<String> allowedApprovers, Set<String> triggeredBy, Instant now, Duration interval) {
        CheckResult windows = FreezeCalendar.of(gate).check(now);
        List<String> evidence = new ArrayList<>(windows.evidence().stream()
                .filter(line -> !line.startsWith("change calendar "))
                .toList());
        List<Instant> opensAt = new ArrayList<>();
        List<String> frozenBy = new ArrayList<>();
        // Whether a freeze is known to be on, rather than only a source of freezes that could not be read.
        boolean frozen = false;
        if (windows instanceof CheckResult.Wait wait) {
            frozenBy.add(wait.reason());
            opensAt.add(wait.nextLook());
            frozen = true;
        }
        for (GateConfig.Freeze freeze : gate.freezes()) {
            if (freeze.changeCalendar() == null) {
                continue;
            }
            CalendarReading reading = calendarStates.get(freeze.changeCalendar());
            if (reading == null || reading.error() != null) {
                String why = reading == null ? "not read" : reading.error();
                evidence.add("change calendar " + freeze.changeCalendar() + ": unknown (" + why + "), treated as closed");
                frozenBy.add("change calendar " + freeze.changeCalendar() + " could not be read");
                opensAt.add(now.plus(interval));
            } else if (!reading.state().open()) {
                Instant next = reading.state().nextTransition();
                evidence.add("change calendar " + freeze.changeCalendar() + ": CLOSED" + (next == null ? "" : " until " + next));
                frozenBy.add("change calendar " + freeze.changeCalendar() + " is closed");
                opensAt.add(next == null || !next.isAfter(now) ? now.plus(interval) : next);
                frozen = true;
            } else {
                evidence.add("change calendar " + freeze.changeCalendar() + ": OPEN");
            }
        }
        boolean heldUntilLifted = false;
        try {
            for (ManualFreeze freeze : manualFreezes.all()) {
                boolean applies = environment == null ? freeze.scope().equals(ManualFreeze.EVERY_ENVIRONMENT) : freeze.covers(environment);
                if (applies && freeze.activeAt(now)) {
                    evidence.add(freeze.describe());
                    frozenBy.add(freeze.describe());
                    opensAt.add(freeze.until() == null ? Instant.MAX : freeze.until());
                    heldUntilLifted |= freeze.until() == null;
                    frozen = true;
                }
            }
        } catch (ManualFreezes.ManualFreezesException e) {
            evidence.add("manual freezes: unknown (" + e.getMessage() + "), treated as frozen");
            frozenBy.add("manual freezes could not be read");
            opensAt.add(now.plus(interval));
        }
        if (frozenBy.isEmpty()) {
            return CheckResult.pass(CHECK, evidence);
        }

        Map<String, Approval> breakers = new LinkedHashMap<>();
        decisions.stream()
                .filter(d -> d.decision() == Approval.Decision.BREAK_GLASS && d.digest().equals(digest) && !d.at().isAfter(now))
                .sorted(Comparator.comparing(Approval::at))
                .forEach(d -> {
                    if (!allowedApprovers.contains(d.userId())) {
                        evidence.add("break-glass not counted: " + d.userId() + " is not an allowed approver");
                    } else if (triggeredBy.contains(d.userId())) {
                        evidence.add("break-glass not counted: " + d.userId() + " triggered the release");
                    } else if (d.comment() == null || d.comment().isBlank()) {
                        evidence.add("break-glass not counted: " + d.userId() + " gave no reason");
                    } else {
                        breakers.putIfAbsent(d.userId(), d);
                    }
                });
        if (breakers.size() >= BREAK_GLASS_APPROVERS) {
            breakers.values().forEach(d -> evidence.add("break-glass: " + d.userId() + " at " + d.at() + ": " + d.comment()));
            evidence.add("frozen (" + String.join("; ", frozenBy) + ") but broken open by " + String.join(" and ", breakers.keySet()));
            return CheckResult.pass(CHECK, evidence);
        }
        if (!breakers.isEmpty()) {
            evidence.add(breakers.size() + " of " + BREAK_GLASS_APPROVERS + " break-glass approvals: " + String.join(", ", breakers.keySet()));
        }
        // The release goes when every freeze has opened, so it is held until the latest opening.
        Instant heldUntil = opensAt.stream().max(Comparator.naturalOrder()).orElseThrow();
        String until = !heldUntil.equals(Instant.MAX) ? heldUntil.toString()
                : heldUntilLifted ? "the manual freeze is lifted" : "no opening in sight";
        String reason = "held until " + until + ": " + String.join("; ", frozenBy);
        // A calendar nobody can read is no freeze: the gate's timeout must still run, or a misspelt calendar name would
        // hold every release for good without anyone being told.
        return frozen ? CheckResult.waitUntil(CHECK, reason, heldUntil, evidence) : CheckResult.unanswered(CHECK, reason, heldUntil, evidence);
    }

    /** A change calendar's state, or why it could not be read. */
    public record CalendarReading(ChangeCalendars.CalendarState state, String error) {
        public static CalendarReading of(ChangeCalendars.CalendarState state) {
            return new CalendarReading(state, null);
        }

        public static CalendarReading failed(String error) {
            return new CalendarReading(null, error);
        }
    }
}
