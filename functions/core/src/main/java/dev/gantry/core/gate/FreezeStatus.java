package dev.gantry.core.gate;

import java.time.Instant;
import java.util.List;

/**
 * Whether releases are frozen at one instant, by the freezes {@link FreezeCalendar} can evaluate itself.
 *
 * @param frozen whether {@code now} falls inside at least one freeze window
 * @param opensAt when frozen: the first instant no window covers, following windows that overlap or touch;
 *     null when open, or when the windows chain on past {@link FreezeCalendar#HORIZON} (a freeze that never
 *     ends is reported as such rather than searched forever)
 * @param windows the windows that apply, in the order they were followed, as people read them
 * @param notEvaluatedHere freezes this calendar cannot answer (SSM Change Calendars need AWS); the caller
 *     must evaluate them elsewhere before treating the environment as open
 */
public record FreezeStatus(boolean frozen, Instant opensAt, List<String> windows, List<String> notEvaluatedHere) {

    public FreezeStatus {
        windows = List.copyOf(windows);
        notEvaluatedHere = List.copyOf(notEvaluatedHere);
    }
}
