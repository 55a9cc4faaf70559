package dev.gantry.testing;

import dev.gantry.core.gate.AlarmStates;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * CloudWatch alarms in memory. Answers as DescribeAlarms does where a gate can tell: each alarm named or
 * matching a prefix once, a named alarm that does not exist simply absent. Every question is counted, so a
 * test can prove that a gate asked AWS nothing.
 */
public final class InMemoryAlarmStates implements AlarmStates {

    private final Map<String, AlarmState> alarms = new LinkedHashMap<>();
    private String failure;
    private int calls;

    /** Sets (or replaces) a metric alarm's state, changed at {@code changedAt} (null when CloudWatch would not say). */
    public synchronized void givenAlarm(String name, State state, Instant changedAt) {
        givenAlarm(new AlarmState(name, state, state == State.OK ? null : "Threshold Crossed", changedAt, false));
    }

    public synchronized void givenAlarm(AlarmState alarm) {
        alarms.put(alarm.name(), alarm);
    }

    /** Every question from now on fails with {@code message}, as CloudWatch refusing Gantry's role would. */
    public synchronized void failWith(String message) {
        failure = message;
    }

    /** Questions are answered again. */
    public synchronized void recover() {
        failure = null;
    }

    /** How many questions were asked, failed ones included. */
    public synchronized int calls() {
        return calls;
    }

    @Override
    public synchronized List<AlarmState> describe(List<String> names, List<String> prefixes) {
        calls++;
        if (failure != null) {
            throw new AlarmStatesException(failure, null);
        }
        return alarms.values().stream()
                .filter(a -> names.contains(a.name()) || prefixes.stream().anyMatch(p -> a.name().startsWith(p)))
                .toList();
    }
}
