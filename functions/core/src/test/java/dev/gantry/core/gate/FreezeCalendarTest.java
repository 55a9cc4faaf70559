package dev.gantry.core.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GateConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FreezeCalendarTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** The example's Friday-evening freeze: Friday 18:00 Berlin time for 62 hours. */
    private static final GateConfig.Freeze FRIDAY_EVENING = recurring("0 18 * * FRI", Duration.ofHours(62), BERLIN);
    private static final FreezeCalendar FRIDAYS = new FreezeCalendar(List.of(FRIDAY_EVENING));

    static Stream<Arguments> fridayEvenings() {
        return Stream.of(
                // A winter week: Friday 2026-03-06 18:00 CET (17:00Z) until Monday 08:00 CET (07:00Z).
                row("a second before the window starts", "2026-03-06T16:59:59Z", null),
                row("at the cron fire time exactly", "2026-03-06T17:00:00Z", "2026-03-09T07:00:00Z"),
                row("on Sunday: the window started at a fire time two days back", "2026-03-08T11:00:00Z", "2026-03-09T07:00:00Z"),
                row("a second before the window ends", "2026-03-09T06:59:59Z", "2026-03-09T07:00:00Z"),
                row("at the end instant: open", "2026-03-09T07:00:00Z", null),
                row("midweek", "2026-03-11T12:00:00Z", null),
                // Clocks go forward on Sunday 2026-03-29: 62 elapsed hours end at 09:00 CEST, not 08:00.
                row("spring forward: Sunday inside the window", "2026-03-29T12:00:00Z", "2026-03-30T07:00:00Z"),
                row("spring forward: Monday 08:30 CEST is still frozen", "2026-03-30T06:30:00Z", "2026-03-30T07:00:00Z"),
                row("spring forward: Monday 09:00 CEST is open", "2026-03-30T07:00:00Z", null),
                row("the first Friday in summer time starts at 18:00 CEST (16:00Z)", "2026-04-03T16:00:00Z", "2026-04-06T06:00:00Z"),
                row("the first Friday in summer time: 17:59 CEST is open", "2026-04-03T15:59:00Z", null),
                // Clocks go back on Sunday 2026-10-25: 62 elapsed hours end at 07:00 CET, not 08:00.
                row("fall back: Friday 18:00 CEST starts the window", "2026-10-23T16:00:00Z", "2026-10-26T06:00:00Z"),
                row("fall back: Sunday inside the window", "2026-10-25T12:00:00Z", "2026-10-26T06:00:00Z"),
                row("fall back: Monday 07:00 CET is open", "2026-10-26T06:00:00Z", null),
                row("the first Friday in winter time starts at 18:00 CET (17:00Z)", "2026-10-30T17:00:00Z", "2026-11-02T07:00:00Z"),
                row("the first Friday in winter time: 17:30 CET is open", "2026-10-30T16:30:00Z", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fridayEvenings")
    void followsTheFridayEveningFreezeInBerlinTime(String scenario, Instant now, Instant opensAt) {
        // when
        FreezeStatus status = FRIDAYS.at(now);

        // then
        assertThat(status.frozen()).isEqualTo(opensAt != null);
        assertThat(status.opensAt()).isEqualTo(opensAt);
        assertThat(status.windows()).hasSize(opensAt == null ? 0 : 1);
    }

    static Stream<Arguments> overlaps() {
        Instant fridayEnd = Instant.parse("2026-03-09T07:00:00Z");
        return Stream.of(
                Arguments.of("a one-off window overlapping the end of the weekly one extends the freeze",
                        oneOff("2026-03-09T06:00:00Z", "2026-03-09T12:00:00Z"), "2026-03-08T11:00:00Z", "2026-03-09T12:00:00Z", 2),
                Arguments.of("a one-off window starting exactly at the end chains on",
                        oneOff(fridayEnd.toString(), "2026-03-09T09:00:00Z"), "2026-03-08T11:00:00Z", "2026-03-09T09:00:00Z", 2),
                Arguments.of("a one-off window starting a second after the end leaves a gap: open at the end",
                        oneOff(fridayEnd.plusSeconds(1).toString(), "2026-03-09T09:00:00Z"), "2026-03-08T11:00:00Z", fridayEnd.toString(), 1),
                Arguments.of("a one-off window inside the weekly one changes nothing",
                        oneOff("2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z"), "2026-03-07T12:00:00Z", fridayEnd.toString(), 1),
                Arguments.of("of two windows covering now, the later-ending one decides",
                        oneOff("2026-03-06T00:00:00Z", "2026-03-10T00:00:00Z"), "2026-03-07T12:00:00Z", "2026-03-10T00:00:00Z", 1),
                Arguments.of("a one-off window alone, before the Friday one",
                        oneOff("2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z"), "2026-03-04T00:00:00Z", "2026-03-05T00:00:00Z", 1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlaps")
    void followsOverlappingAndTouchingWindowsToTheFirstOpening(String scenario, GateConfig.Freeze other, Instant now,
            Instant opensAt, int windowsFollowed) {
        // given
        FreezeCalendar calendar = new FreezeCalendar(List.of(FRIDAY_EVENING, other));

        // when
        FreezeStatus status = calendar.at(now);

        // then
        assertThat(status.frozen()).isTrue();
        assertThat(status.opensAt()).isEqualTo(opensAt);
        assertThat(status.windows()).hasSize(windowsFollowed);
    }

    @Test
    void chainsWindowsOfTheSameCronThatOverlapEachOther() {
        // given: every weekday at 09:00 UTC for 25 hours, so Monday's window runs into Tuesday's, and so on
        FreezeCalendar calendar = new FreezeCalendar(List.of(recurring("0 9 * * MON-FRI", Duration.ofHours(25), null)));

        // when
        FreezeStatus status = calendar.at(Instant.parse("2026-03-02T10:00:00Z"));

        // then: open once Friday's window ends on Saturday
        assertThat(status.opensAt()).isEqualTo(Instant.parse("2026-03-07T10:00:00Z"));
        assertThat(status.windows()).hasSize(5);
    }

    @Test
    void readsTheChristmasFreezeAndTheFridayFreezeOfTheExampleTogether() {
        // given
        GateConfig production = ConfigLoader.load(Path.of("../../examples/gantry.yml")).gate("production").orElseThrow();
        FreezeCalendar calendar = FreezeCalendar.of(production);

        // when: Christmas 2026; the one-off freeze ends on Monday 2027-01-04 00:00Z, inside the Friday window
        FreezeStatus status = calendar.at(Instant.parse("2026-12-25T12:00:00Z"));

        // then
        assertThat(status.opensAt()).isEqualTo(Instant.parse("2027-01-04T07:00:00Z"));
        assertThat(status.windows()).containsExactly(
                "from 2026-12-22T00:00:00Z until 2027-01-04T00:00:00Z",
                "cron '0 18 * * FRI' in Europe/Berlin for PT62H: from 2027-01-01T18:00+01:00 until 2027-01-04T08:00+01:00");
    }

    @Test
    void reportsAFreezeThatNeverEndsWithoutAnOpening() {
        // given: hourly windows of two hours never leave a gap
        FreezeCalendar calendar = new FreezeCalendar(List.of(recurring("0 * * * *", Duration.ofHours(2), null)));

        // when
        FreezeStatus status = calendar.at(Instant.parse("2026-03-02T10:30:00Z"));
        CheckResult check = calendar.check(Instant.parse("2026-03-02T10:30:00Z"));

        // then
        assertThat(status.frozen()).isTrue();
        assertThat(status.opensAt()).isNull();
        assertThat(check).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.nextLook()).isEqualTo(Instant.MAX);
            assertThat(wait.reason()).startsWith("frozen beyond ");
        });
    }

    @Test
    void listsChangeCalendarsAsNotEvaluatedHereAndDoesNotFreezeOnThem() {
        // given
        GateConfig.Freeze calendarFreeze = new GateConfig.Freeze(null, null, null, null, null, "prod-releases");
        FreezeCalendar calendar = new FreezeCalendar(List.of(calendarFreeze));

        // when
        FreezeStatus status = calendar.at(Instant.parse("2026-03-07T12:00:00Z"));
        CheckResult check = calendar.check(Instant.parse("2026-03-07T12:00:00Z"));

        // then
        assertThat(status.frozen()).isFalse();
        assertThat(status.notEvaluatedHere()).containsExactly("change calendar prod-releases: not evaluated here, it needs AWS Systems Manager");
        assertThat(check.evidence()).contains("change calendar prod-releases: not evaluated here, it needs AWS Systems Manager");
    }

    @Test
    void checkWaitsUntilTheOpeningWhenFrozenWithTheWindowAsEvidence() {
        // when
        CheckResult check = FRIDAYS.check(Instant.parse("2026-03-08T11:00:00Z"));

        // then
        assertThat(check).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.check()).isEqualTo("freeze");
            assertThat(wait.nextLook()).isEqualTo(Instant.parse("2026-03-09T07:00:00Z"));
            assertThat(wait.reason()).isEqualTo("frozen until 2026-03-09T07:00:00Z");
            assertThat(wait.evidence()).containsExactly(
                    "cron '0 18 * * FRI' in Europe/Berlin for PT62H: from 2026-03-06T18:00+01:00 until 2026-03-09T08:00+01:00");
        });
    }

    @Test
    void checkPassesWhenOpen() {
        // when
        CheckResult check = FRIDAYS.check(Instant.parse("2026-03-11T12:00:00Z"));

        // then
        assertThat(check).isInstanceOf(CheckResult.Pass.class);
        assertThat(check.evidence()).containsExactly("no freeze window is open");
    }

    @Test
    void aGateWithoutFreezesIsAlwaysOpen() {
        // given
        FreezeCalendar calendar = new FreezeCalendar(List.of());

        // when
        FreezeStatus status = calendar.at(Instant.parse("2026-03-07T12:00:00Z"));

        // then
        assertThat(status.frozen()).isFalse();
        assertThat(status.opensAt()).isNull();
    }

    @Test
    void rejectsAFreezeOfNoKind() {
        // given
        GateConfig.Freeze nothing = new GateConfig.Freeze(null, null, null, null, null, null);

        // when / then
        assertThatThrownBy(() -> new FreezeCalendar(List.of(nothing)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cron with duration, from with until, or changeCalendar");
    }

    static Stream<Arguments> clockChanges() {
        ZoneId newYork = ZoneId.of("America/New_York");
        return Stream.of(
                // 2026-03-08 in New York: 02:00 EST becomes 03:00 EDT (07:00Z), so 02:00 does not exist that day.
                Arguments.of("a Sunday freeze at 02:00, the hour New York's spring change skips: it starts at the change",
                        recurring("0 2 * * 0", Duration.ofHours(4), newYork), Instant.parse("2026-03-08T08:00:00Z"),
                        true, Instant.parse("2026-03-08T11:00:00Z")),
                Arguments.of("the same freeze an instant before the change: not started yet",
                        recurring("0 2 * * 0", Duration.ofHours(4), newYork), Instant.parse("2026-03-08T06:59:59Z"),
                        false, null),
                Arguments.of("the same freeze the Sunday before: 02:00 EST as always",
                        recurring("0 2 * * 0", Duration.ofHours(4), newYork), Instant.parse("2026-03-01T09:30:00Z"),
                        true, Instant.parse("2026-03-01T11:00:00Z")),
                // 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST (01:00Z).
                Arguments.of("a nightly freeze at 02:30, inside Berlin's skipped hour: it starts at the change",
                        recurring("30 2 * * *", Duration.ofMinutes(45), BERLIN), Instant.parse("2026-03-29T01:20:00Z"),
                        true, Instant.parse("2026-03-29T01:45:00Z")),
                // 2026-11-01 in New York: 02:00 EDT becomes 01:00 EST, so 01:30 happens twice; the freeze starts at the first.
                Arguments.of("a freeze at 01:30 on the night New York's 01:30 comes twice: from the first",
                        recurring("30 1 * * *", Duration.ofMinutes(90), newYork), Instant.parse("2026-11-01T06:10:00Z"),
                        true, Instant.parse("2026-11-01T07:00:00Z")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("clockChanges")
    void freezesAcrossClockChangesAsTheirLocalTimesSay(String scenario, GateConfig.Freeze freeze, Instant now, boolean frozen,
            Instant opensAt) {
        // when
        FreezeStatus status = new FreezeCalendar(List.of(freeze)).at(now);

        // then
        assertThat(status.frozen()).isEqualTo(frozen);
        assertThat(status.opensAt()).isEqualTo(opensAt);
    }

    @Test
    void oneCalendarAskedAgainAndAgainAnswersAsAFreshCalendarDoesAtEveryInstant() {
        // given: crons that fire hourly, nightly across both of Berlin's clock changes, weekly and on weekdays, and
        // instants in an order that walks forward, jumps back and lands on fire times exactly
        List<GateConfig.Freeze> freezes = List.of(
                recurring("0 18 * * FRI", Duration.ofHours(62), BERLIN),
                recurring("30 2 * * *", Duration.ofMinutes(45), BERLIN),
                recurring("0 * * * *", Duration.ofMinutes(10), null),
                recurring("0 9 * * MON-FRI", Duration.ofHours(25), ZoneId.of("America/New_York")));
        Random random = new Random(20261123L);
        List<Instant> instants = new ArrayList<>();
        Instant cursor = Instant.parse("2026-03-20T00:00:00Z");
        for (int i = 0; i < 250; i++) {
            cursor = cursor.plusSeconds(random.nextInt(14 * 3600));
            instants.add(cursor);
            instants.add(cursor.truncatedTo(ChronoUnit.HOURS));
            if (i % 7 == 0) {
                instants.add(cursor.minusSeconds(random.nextInt(14 * 86_400)));
            }
        }
        instants.add(Instant.parse("2026-03-29T00:30:00Z"));
        instants.add(Instant.parse("2026-10-25T00:30:00Z"));
        instants.add(Instant.parse("2026-10-25T01:30:00Z"));
        FreezeCalendar kept = new FreezeCalendar(freezes);

        for (Instant now : instants) {
            // when
            FreezeStatus answer = kept.at(now);

            // then
            assertThat(answer).as("at %s", now).isEqualTo(new FreezeCalendar(freezes).at(now));
        }
    }

    @Test
    void equalFreezesShareOneParsedCalendar() {
        // given
        List<GateConfig.Freeze> freezes = List.of(recurring("0 18 * * FRI", Duration.ofHours(62), BERLIN));

        // when
        FreezeCalendar first = FreezeCalendar.of(freezes);
        FreezeCalendar second = FreezeCalendar.of(new ArrayList<>(List.of(recurring("0 18 * * FRI", Duration.ofHours(62), BERLIN))));

        // then
        assertThat(second).isSameAs(first);
    }

    private static GateConfig.Freeze recurring(String cron, Duration duration, ZoneId zone) {
        return new GateConfig.Freeze(cron, duration, zone, null, null, null);
    }

    private static GateConfig.Freeze oneOff(String from, String until) {
        return new GateConfig.Freeze(null, null, null, Instant.parse(from), Instant.parse(until), null);
    }

    private static Arguments row(String scenario, String now, String opensAt) {
        return Arguments.of(scenario, Instant.parse(now), opensAt == null ? null : Instant.parse(opensAt));
    }
}
