package dev.gantry.core.gate;

import dev.gantry.core.config.GateConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Decides the alarms check from the alarms' states: every watched alarm OK.
 *
 * <ul>
 *   <li>An alarm in ALARM fails the gate: a firing alarm is a "no", not a "not yet", and a release that
 *       should go after all is started again once the alarm is understood.</li>
 *   <li>INSUFFICIENT_DATA counts as the gate configures: pass, wait (the default) or fail.</li>
 *   <li>A named alarm that does not exist, or a prefix no alarm starts with, fails the gate: a misspelt
 *       name would otherwise watch nothing and pass every release.</li>
 *   <li>Alarms that cannot be read make the check wait: the state is unknown, not bad.</li>
 * </ul>
 */
public final class AlarmCheck {

    static final String CHECK = "alarms";

    /**
     * @param states the alarms as read for this evaluation, or null when they could not be read
     * @param readError why they could not be read; null when they were
     * @param interval when to look again while waiting
     */
    public CheckResult evaluate(GateConfig.Alarms config, List<AlarmStates.AlarmState> states, String readError, Instant now,
            Duration interval) {
        Objects.requireNonNull(config, "config");
        if (states == null) {
            return CheckResult.unanswered(CHECK, "alarms could not be read: " + readError, now.plus(interval),
                    List.of("alarms could not be read: " + readError));
        }
        List<String> evidence = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : config.names()) {
            if (states.stream().noneMatch(s -> s.name().equals(name))) {
                missing.add("alarm '" + name + "' does not exist");
            }
        }
        for (String prefix : config.prefixes()) {
            if (states.stream().noneMatch(s -> s.name().startsWith(prefix))) {
                missing.add("no alarm name starts with '" + prefix + "'");
            }
        }
        List<String> firing = new ArrayList<>();
        List<String> noData = new ArrayList<>();
        for (AlarmStates.AlarmState state : states) {
            evidence.add(describe(state));
            switch (state.state()) {
                case ALARM -> firing.add(state.name());
                case INSUFFICIENT_DATA -> noData.add(state.name());
                case OK -> { }
            }
        }
        evidence.addAll(missing);
        if (!missing.isEmpty()) {
            return CheckResult.fail(CHECK, String.join("; ", missing), evidence);
        }
        if (!firing.isEmpty()) {
            return CheckResult.fail(CHECK, "in ALARM: " + String.join(", ", firing), evidence);
        }
        if (!noData.isEmpty()) {
            String which = "INSUFFICIENT_DATA: " + String.join(", ", noData);
            return switch (config.insufficientData()) {
                case PASS -> CheckResult.pass(CHECK, withNote(evidence, which + " counts as OK for this gate"));
                case WAIT -> CheckResult.waitUntil(CHECK, which, now.plus(interval), evidence);
                case FAIL -> CheckResult.fail(CHECK, which + " fails this gate", evidence);
            };
        }
        return CheckResult.pass(CHECK, evidence);
    }

    private static String describe(AlarmStates.AlarmState state) {
        return (state.composite() ? "composite alarm " : "alarm ") + state.name() + ": " + state.state()
                + (state.updatedAt() == null ? "" : " since " + state.updatedAt())
                + (state.reason() == null || state.state() == AlarmStates.State.OK ? "" : " (" + state.reason() + ")");
    }

    private static List<String> withNote(List<String> evidence, String note) {
        List<String> all = new ArrayList<>(evidence);
        all.add(note);
        return all;
    }
}
