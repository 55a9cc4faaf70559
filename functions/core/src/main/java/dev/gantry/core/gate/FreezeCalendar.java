package dev.gantry.core.gate;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import dev.gantry.core.config.GateConfig;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers whether a gate's freezes hold releases at a given instant, and until when.
 *
 * <p>A recurring freeze ({@code cron}, {@code duration}, {@code timezone}, UTC by default) opens a window at
 * each time the Unix cron fires, read as wall-clock time in its zone, and the window lasts {@code duration}
 * of elapsed time: a 62h window that spans a daylight-saving change therefore ends an hour later or earlier
 * on the wall clock. A one-off freeze covers {@code [from, until)}. Windows are closed at their start and
 * open at their end, so a release may go at the exact end instant. SSM Change Calendar freezes need AWS and
 * are only listed in {@link FreezeStatus#notEvaluatedHere()}.
 *
 * <p>Errors: the constructor throws {@link IllegalArgumentException} for a freeze that is none of the three
 * kinds or whose cron does not parse (the configuration validator rejects both first).
 */
public final class FreezeCalendar {

    /** How far ahead {@link #at(Instant)} follows chained windows before it stops looking for an opening. */
    public static final Duration HORIZON = Duration.ofDays(400);

    private static final CronParser UNIX_CRON = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final String CHECK = "freeze";
    // A function keeps one configuration for its life: each gate's freezes are parsed once and kept, whichever
    // GateService asks. Parsing a cron was a quarter of a push's decisions in `scripts/bench core` when it happened
    // per event.
    private static final Map<List<GateConfig.Freeze>, FreezeCalendar> PARSED = new ConcurrentHashMap<>();

    private final List<WindowSource> sources;
    private final List<String> notEvaluatedHere;

    public FreezeCalendar(List<GateConfig.Freeze> freezes) {
        List<WindowSource> parsed = new ArrayList<>();
        List<String> calendars = new ArrayList<>();
        for (GateConfig.Freeze freeze : freezes) {
            if (freeze.changeCalendar() != null) {
                calendars.add("change calendar " + freeze.changeCalendar() + ": not evaluated here, it needs AWS Systems Manager");
            } else if (freeze.cron() != null && freeze.duration() != null) {
                parsed.add(new Recurring(freeze.cron(), ExecutionTime.forCron(UNIX_CRON.parse(freeze.cron())),
                        freeze.duration(), freeze.timezone()));
            } else if (freeze.from() != null && freeze.until() != null) {
                parsed.add(new OneOff(freeze.from(), freeze.until()));
            } else {
                throw new IllegalArgumentException("a freeze needs cron with duration, from with until, or changeCalendar");
            }
        }
        this.sources = List.copyOf(parsed);
        this.notEvaluatedHere = List.copyOf(calendars);
    }

    /** The calendar of a gate's {@code freezes}; empty (always open) when it has none. */
    public static FreezeCalendar of(GateConfig gate) {
        return of(gate.freezes());
    }

    /** The calendar of {@code freezes}, parsed at its first use in this JVM. */
    public static FreezeCalendar of(List<GateConfig.Freeze> freezes) {
        return PARSED.computeIfAbsent(List.copyOf(freezes), FreezeCalendar::new);
    }

    /** Whether releases are frozen at {@code now} and, if so, when they may go again. */
    public FreezeStatus at(Instant now) {
        Objects.requireNonNull(now, "now");
        List<String> followed = new ArrayList<>();
        Instant cursor = now;
        Instant horizon = now.plus(HORIZON);
        // Each step jumps to the end of the latest-ending window covering the cursor; a window that starts
        // before or exactly when that one ends keeps the freeze going, so the loop follows it.
        while (true) {
            Optional<Window> covering = covering(cursor);
            if (covering.isEmpty()) {
                return followed.isEmpty()
                        ? new FreezeStatus(false, null, List.of(), notEvaluatedHere)
                        : new FreezeStatus(true, cursor, followed, notEvaluatedHere);
            }
            followed.add(covering.get().description());
            cursor = covering.get().end();
            if (cursor.isAfter(horizon)) {
                followed.add("frozen beyond " + horizon + ": no opening searched further");
                return new FreezeStatus(true, null, followed, notEvaluatedHere);
            }
        }
    }

    /**
     * The freeze check for a gate: {@link CheckResult.Pass} when open, {@link CheckResult.Wait} until the
     * opening when frozen ({@link Instant#MAX} when no opening lies within the horizon). Freezes not
     * evaluated here are named in the evidence, never silently passed over.
     */
    public CheckResult check(Instant now) {
        FreezeStatus status = at(now);
        List<String> evidence = new ArrayList<>(status.windows());
        evidence.addAll(status.notEvaluatedHere());
        if (!status.frozen()) {
            // Not the instant itself: the evaluation carries its time, and evidence that repeats it would make every
            // evaluation look new, so a long wait could no longer be kept as one entry.
            evidence.add(0, "no freeze window is open");
            return CheckResult.pass(CHECK, evidence);
        }
        Instant opensAt = status.opensAt() == null ? Instant.MAX : status.opensAt();
        String reason = status.opensAt() == null ? "frozen beyond " + now.plus(HORIZON) : "frozen until " + opensAt;
        return CheckResult.waitUntil(CHECK, reason, opensAt, evidence);
    }

    private Optional<Window> covering(Instant t) {
        return sources.stream()
                .map(source -> source.covering(t))
                .flatMap(Optional::stream)
                .max(Comparator.comparing(Window::end));
    }

    private record Window(Instant end, String description) {}

    private sealed interface WindowSource permits Recurring, OneOff {
        /** The window of this freeze that covers {@code t} and ends last, if any. */
        Optional<Window> covering(Instant t);
    }

    private static final class Recurring implements WindowSource {
        private final String cron;
        private final ExecutionTime executions;
        private final Duration duration;
        private final ZoneId zone;
        // The fire times around the last instant asked about. A gate is evaluated again and again between two fires of
        // its freeze (a nightly or weekly cron), and cron-utils searches field by field at every call; the span
        // answers every instant inside it until the next fire.
        private volatile FireSpan lastSpan;

        Recurring(String cron, ExecutionTime executions, Duration duration, ZoneId zone) {
            this.cron = cron;
            this.executions = executions;
            this.duration = duration;
            this.zone = zone;
        }

        @Override
        public Optional<Window> covering(Instant t) {
            // All windows have the same length, so the one starting last is the one ending last.
            return latestFireAtOrBefore(t)
                    .filter(start -> start.toInstant().plus(duration).isAfter(t))
                    .map(start -> {
                        ZonedDateTime end = start.plus(duration);
                        return new Window(end.toInstant(), "cron '" + cron + "' in " + zone + " for " + duration
                                + ": from " + start.toOffsetDateTime() + " until " + end.withZoneSameInstant(zone).toOffsetDateTime());
                    });
        }

        private Optional<ZonedDateTime> latestFireAtOrBefore(Instant t) {
            FireSpan span = lastSpan;
            if (span != null && span.contains(t)) {
                return Optional.of(span.fire());
            }
            Optional<ZonedDateTime> fire = searchLatestFireAtOrBefore(wallClock(t));
            fire.ifPresent(found -> lastSpan = new FireSpan(inZone(found),
                    executions.nextExecution(found).map(next -> inZone(next).toInstant()).orElse(Instant.MAX)));
            return fire.map(this::inZone);
        }

        /**
         * cron-utils' lastExecution is strictly before its argument, but a window starting exactly now
         * covers now. Unix cron has minute resolution, so at most one fire time lies in the minute up to
         * {@code t}: look for it first.
         */
        private Optional<ZonedDateTime> searchLatestFireAtOrBefore(ZonedDateTime t) {
            Optional<ZonedDateTime> inLastMinute = executions.nextExecution(t.minusMinutes(1)).filter(fire -> !fire.isAfter(t));
            return inLastMinute.isPresent() ? inLastMinute : executions.lastExecution(t);
        }

        /**
         * The latest local time the freeze's zone has shown by {@code t}, as a time in UTC. The cron is searched in UTC,
         * where every local time exists once: searched in a zone with daylight saving time, cron-utils never fires at a
         * local time the spring change skips, and a freeze starting then would not apply at all that day. In the hour the
         * autumn change repeats, the clock shows times it has shown already; a fire at one of those has happened, so the
         * search starts from the latest time shown before the change.
         */
        private ZonedDateTime wallClock(Instant t) {
            LocalDateTime shown = t.atZone(zone).toLocalDateTime();
            ZoneOffsetTransition last = zone.getRules().previousTransition(t.plusNanos(1));
            if (last != null && last.isOverlap() && shown.isBefore(last.getDateTimeBefore())) {
                shown = last.getDateTimeBefore().minusSeconds(1);
            }
            return shown.atZone(ZoneOffset.UTC);
        }

        /**
         * A fire time found on the wall clock, as the instant it is in the freeze's zone. A local time the spring change
         * skips starts the window at the change itself, the first instant after the gap (so fires keep their order, and
         * a window never starts after an instant it was found for); a local time the autumn change repeats is the first
         * of the two.
         */
        private ZonedDateTime inZone(ZonedDateTime wallClockFire) {
            LocalDateTime local = wallClockFire.toLocalDateTime();
            ZoneOffsetTransition transition = zone.getRules().getTransition(local);
            return transition != null && transition.isGap()
                    ? transition.getInstant().atZone(zone)
                    : ZonedDateTime.ofLocal(local, zone, null);
        }
    }

    /** A fire time and the next one after it: no fire lies between, so every instant in [fire, next) has this latest fire. */
    private record FireSpan(ZonedDateTime fire, Instant next) {
        boolean contains(Instant t) {
            return !t.isBefore(fire.toInstant()) && t.isBefore(next);
        }
    }

    private record OneOff(Instant from, Instant until) implements WindowSource {
        @Override
        public Optional<Window> covering(Instant t) {
            return !t.isBefore(from) && t.isBefore(until)
                    ? Optional.of(new Window(until, "from " + from + " until " + until))
                    : Optional.empty();
        }
    }
}
