package dev.gantry.core.gate;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The CloudWatch alarms a gate watches, as they stand now.
 *
 * <p>Errors: {@link AlarmStatesException} when the alarms cannot be read (after the client's own retries);
 * the gate then waits rather than deciding on nothing.
 */
public interface AlarmStates {

    /**
     * Every metric and composite alarm named in {@code names} or whose name starts with one of
     * {@code prefixes}, each once. A named alarm that does not exist is simply absent from the answer.
     */
    List<AlarmState> describe(List<String> names, List<String> prefixes);

    /** What CloudWatch says an alarm is. */
    enum State { OK, ALARM, INSUFFICIENT_DATA }

    /**
     * @param name the alarm's name
     * @param state its state now
     * @param reason CloudWatch's state reason, as people read it; may be null
     * @param updatedAt when it last changed state; may be null when CloudWatch does not say
     * @param composite whether it is a composite alarm
     */
    record AlarmState(String name, State state, String reason, Instant updatedAt, boolean composite) {
        public AlarmState {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
        }
    }

    class AlarmStatesException extends RuntimeException {
        public AlarmStatesException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
