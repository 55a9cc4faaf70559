package dev.gantry.testing;

import dev.gantry.core.gate.ChangeCalendars;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** SSM Change Calendars in memory: a calendar nobody set up does not exist, as SSM would answer. Questions are counted. */
public final class InMemoryChangeCalendars implements ChangeCalendars {

    private final Map<String, CalendarState> calendars = new HashMap<>();
    private String failure;
    private int calls;

    public synchronized void givenOpen(String calendar, Instant nextTransition) {
        calendars.put(calendar, new CalendarState(true, nextTransition));
    }

    public synchronized void givenClosed(String calendar, Instant nextTransition) {
        calendars.put(calendar, new CalendarState(false, nextTransition));
    }

    /** Every question from now on fails with {@code message}. */
    public synchronized void failWith(String message) {
        failure = message;
    }

    public synchronized void recover() {
        failure = null;
    }

    public synchronized int calls() {
        return calls;
    }

    @Override
    public synchronized CalendarState state(String calendar) {
        calls++;
        if (failure != null) {
            throw new ChangeCalendarException(failure, null);
        }
        CalendarState state = calendars.get(calendar);
        if (state == null) {
            throw new ChangeCalendarException("change calendar " + calendar + " does not exist", null);
        }
        return state;
    }
}
