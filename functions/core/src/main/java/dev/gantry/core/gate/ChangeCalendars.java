package dev.gantry.core.gate;

import java.time.Instant;

/**
 * AWS Systems Manager Change Calendars, as a freeze reads them.
 *
 * <p>Errors: {@link ChangeCalendarException} when the calendar cannot be read; the freeze check then
 * waits, because an unknown calendar state must not let a release into a freeze.
 */
public interface ChangeCalendars {

    /** The calendar's state now. */
    CalendarState state(String calendar);

    /**
     * @param open whether changes are allowed now
     * @param nextTransition when the state changes next; null when the calendar does not say
     */
    record CalendarState(boolean open, Instant nextTransition) {}

    class ChangeCalendarException extends RuntimeException {
        public ChangeCalendarException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
