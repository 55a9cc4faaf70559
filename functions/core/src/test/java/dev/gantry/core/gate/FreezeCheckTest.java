package dev.gantry.core.gate;

import static dev.gantry.core.gate.Approval.Decision.APPROVE;
import static dev.gantry.core.gate.Approval.Decision.BREAK_GLASS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.chatops.ManualFreeze;
import dev.gantry.core.chatops.ManualFreezes;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.ChangeCalendars.CalendarState;
import dev.gantry.core.gate.FreezeCheck.CalendarReading;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FreezeCheckTest {

    /** A Saturday, inside the Friday-evening freeze that opens on Monday 2026-03-09 at 07:00Z. */
    private static final Instant NOW = Instant.parse("2026-03-07T12:00:00Z");
    private static final Instant MONDAY_MORNING = Instant.parse("2026-03-09T07:00:00Z");
    /** Not the one-minute default, so a next look taken from anywhere else shows. */
    private static final Duration INTERVAL = Duration.ofMinutes(2);
    private static final ImageDigest DIGEST = ImageDigest.parse("sha256:" + "a".repeat(64));
    private static final ImageDigest OTHER_DIGEST = ImageDigest.parse("sha256:" + "b".repeat(64));

    private static final GateConfig.Freeze FRIDAY_EVENING =
            new GateConfig.Freeze("0 18 * * FRI", Duration.ofHours(62), ZoneId.of("Europe/Berlin"), null, null, null);
    private static final String FRIDAY_EVENING_WINDOW =
            "cron '0 18 * * FRI' in Europe/Berlin for PT62H: from 2026-03-06T18:00+01:00 until 2026-03-09T08:00+01:00";
    private static final GateConfig.Freeze CHRISTMAS = oneOff("2026-12-22T00:00:00Z", "2027-01-04T00:00:00Z");
    private static final GateConfig.Freeze THIS_WEEKEND = oneOff("2026-03-06T00:00:00Z", "2026-03-08T00:00:00Z");
    private static final GateConfig.Freeze ENDED_JUST_NOW = oneOff("2026-03-07T00:00:00Z", "2026-03-07T12:00:00Z");
    /** Runs past the calendar's search horizon (400 days from now: 2027-04-11T12:00Z). */
    private static final GateConfig.Freeze UNTIL_2028 = oneOff("2026-03-01T00:00:00Z", "2028-01-01T00:00:00Z");
    private static final String CALENDAR = "prod-releases";
    private static final GateConfig.Freeze CHANGE_CALENDAR = new GateConfig.Freeze(null, null, null, null, null, CALENDAR);

    /** Who may approve the gate; break-glass needs two of them. */
    private static final Set<String> ALLOWED = Set.of("U1", "U2", "U3");
    private static final Set<String> SOMEONE_ELSE_TRIGGERED = Set.of("U9");

    private final FreezeCheck check = new FreezeCheck();

    static Stream<Arguments> freezes() {
        return Stream.of(
                row("no freeze covers now: open",
                        List.of(CHRISTMAS), Map.of(),
                        Kind.PASS, null, null, "no freeze window is open"),
                row("a one-off freeze ending exactly now is open",
                        List.of(ENDED_JUST_NOW), Map.of(),
                        Kind.PASS, null, null, "no freeze window is open"),
                row("inside the recurring window: held until the window ends",
                        List.of(FRIDAY_EVENING), Map.of(),
                        Kind.WAIT, "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z", MONDAY_MORNING, FRIDAY_EVENING_WINDOW),
                row("inside a one-off freeze: held until it ends",
                        List.of(THIS_WEEKEND), Map.of(),
                        Kind.WAIT, "held until 2026-03-08T00:00:00Z: frozen until 2026-03-08T00:00:00Z", Instant.parse("2026-03-08T00:00:00Z"),
                        "from 2026-03-06T00:00:00Z until 2026-03-08T00:00:00Z"),
                row("a freeze beyond the search horizon: held with no opening in sight",
                        List.of(UNTIL_2028), Map.of(),
                        Kind.WAIT, "held until no opening in sight: frozen beyond 2027-04-11T12:00:00Z", Instant.MAX,
                        "frozen beyond 2027-04-11T12:00:00Z: no opening searched further"),
                row("change calendar OPEN",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, open()),
                        Kind.PASS, null, null, "change calendar prod-releases: OPEN"),
                row("change calendar CLOSED: held until its next transition",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW.plus(Duration.ofHours(3)))),
                        Kind.WAIT, "held until 2026-03-07T15:00:00Z: change calendar prod-releases is closed", NOW.plus(Duration.ofHours(3)),
                        "change calendar prod-releases: CLOSED until 2026-03-07T15:00:00Z"),
                row("change calendar CLOSED without a next transition: look again after the interval",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(null)),
                        Kind.WAIT, "held until 2026-03-07T12:02:00Z: change calendar prod-releases is closed", NOW.plus(INTERVAL),
                        "change calendar prod-releases: CLOSED"),
                row("change calendar CLOSED with a next transition already past: look again after the interval",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW.minus(Duration.ofHours(1)))),
                        Kind.WAIT, "held until 2026-03-07T12:02:00Z: change calendar prod-releases is closed", NOW.plus(INTERVAL),
                        "change calendar prod-releases: CLOSED until 2026-03-07T11:00:00Z"),
                row("change calendar CLOSED with its next transition exactly now: look again after the interval",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW)),
                        Kind.WAIT, "held until 2026-03-07T12:02:00Z: change calendar prod-releases is closed", NOW.plus(INTERVAL),
                        "change calendar prod-releases: CLOSED until 2026-03-07T12:00:00Z"),
                row("a change calendar that could not be read counts as closed",
                        List.of(CHANGE_CALENDAR), Map.of(CALENDAR, CalendarReading.failed("AccessDeniedException: not authorized")),
                        Kind.UNKNOWN, "held until 2026-03-07T12:02:00Z: change calendar prod-releases could not be read", NOW.plus(INTERVAL),
                        "change calendar prod-releases: unknown (AccessDeniedException: not authorized), treated as closed"),
                row("a change calendar missing from the readings counts as closed",
                        List.of(CHANGE_CALENDAR), Map.of(),
                        Kind.UNKNOWN, "held until 2026-03-07T12:02:00Z: change calendar prod-releases could not be read", NOW.plus(INTERVAL),
                        "change calendar prod-releases: unknown (not read), treated as closed"),
                row("a window and a calendar closed longer: held until the calendar opens",
                        List.of(FRIDAY_EVENING, CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(Instant.parse("2026-03-10T00:00:00Z"))),
                        Kind.WAIT, "held until 2026-03-10T00:00:00Z: frozen until 2026-03-09T07:00:00Z; change calendar prod-releases is closed",
                        Instant.parse("2026-03-10T00:00:00Z"), FRIDAY_EVENING_WINDOW),
                row("a window and a calendar closed shorter: held until the window ends",
                        List.of(FRIDAY_EVENING, CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW.plus(Duration.ofHours(3)))),
                        Kind.WAIT, "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z; change calendar prod-releases is closed",
                        MONDAY_MORNING, "change calendar prod-releases: CLOSED until 2026-03-07T15:00:00Z"),
                row("a window and an unreadable calendar: held until the window ends, the calendar read again then",
                        List.of(FRIDAY_EVENING, CHANGE_CALENDAR), Map.of(CALENDAR, CalendarReading.failed("throttled")),
                        Kind.WAIT, "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z; change calendar prod-releases could not be read",
                        MONDAY_MORNING, "change calendar prod-releases: unknown (throttled), treated as closed"),
                row("a window open but the calendar closed: held by the calendar alone",
                        List.of(CHRISTMAS, CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW.plus(Duration.ofHours(3)))),
                        Kind.WAIT, "held until 2026-03-07T15:00:00Z: change calendar prod-releases is closed", NOW.plus(Duration.ofHours(3)),
                        "no freeze window is open"),
                row("no opening in sight for the window outlasts any calendar",
                        List.of(UNTIL_2028, CHANGE_CALENDAR), Map.of(CALENDAR, closedUntil(NOW.plus(Duration.ofHours(3)))),
                        Kind.WAIT, "held until no opening in sight: frozen beyond 2027-04-11T12:00:00Z; change calendar prod-releases is closed",
                        Instant.MAX, "change calendar prod-releases: CLOSED until 2026-03-07T15:00:00Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("freezes")
    void holdsTheReleaseUntilEveryFreezeHasOpened(String scenario, List<GateConfig.Freeze> freezes, Map<String, CalendarReading> readings,
            Kind kind, String reason, Instant nextLook, String evidenceLine) {
        // when
        CheckResult result = check.evaluate(gate(freezes), readings, List.of(), DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED, NOW, INTERVAL);

        // then
        assertResult(result, kind, reason, nextLook);
        assertThat(result.evidence()).contains(evidenceLine);
    }

    static Stream<Arguments> breakGlass() {
        String heldUntilMonday = "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z";
        return Stream.of(
                breakGlassRow("two allowed approvers with reasons break the freeze",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix for the card outage"), breakGlass("U2", hoursAgo(2), "agreed with U1")),
                        SOMEONE_ELSE_TRIGGERED, Kind.PASS, null, "frozen (frozen until 2026-03-09T07:00:00Z) but broken open by U2 and U1"),
                breakGlassRow("one approver is not enough",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "1 of 2 break-glass approvals: U1"),
                breakGlassRow("the person who triggered the release is not counted",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", hoursAgo(1), "hotfix")),
                        Set.of("U1"), Kind.WAIT, heldUntilMonday, "break-glass not counted: U1 triggered the release"),
                breakGlassRow("a break-glass without a reason is not counted",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", hoursAgo(1), null)),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "break-glass not counted: U2 gave no reason"),
                breakGlassRow("a blank reason is no reason",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", hoursAgo(1), "  ")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "break-glass not counted: U2 gave no reason"),
                breakGlassRow("someone not allowed to approve is not counted",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U5", hoursAgo(1), "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "break-glass not counted: U5 is not an allowed approver"),
                breakGlassRow("a break-glass of another digest is ignored",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), new Approval("U2", hoursAgo(1), OTHER_DIGEST, BREAK_GLASS, "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "1 of 2 break-glass approvals: U1"),
                breakGlassRow("a break-glass recorded after now is ignored",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", NOW.plusSeconds(5), "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "1 of 2 break-glass approvals: U1"),
                breakGlassRow("a break-glass recorded exactly now counts",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", NOW, "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.PASS, null, "frozen (frozen until 2026-03-09T07:00:00Z) but broken open by U1 and U2"),
                breakGlassRow("the same person twice counts once",
                        List.of(breakGlass("U1", hoursAgo(2), "hotfix"), breakGlass("U1", hoursAgo(1), "really, a hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "1 of 2 break-glass approvals: U1"),
                breakGlassRow("an approval is not a break-glass",
                        List.of(breakGlass("U1", hoursAgo(1), "hotfix"), new Approval("U2", hoursAgo(1), DIGEST, APPROVE, "hotfix")),
                        SOMEONE_ELSE_TRIGGERED, Kind.WAIT, heldUntilMonday, "1 of 2 break-glass approvals: U1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakGlass")
    void letsTwoAllowedApproversBreakTheFreeze(String scenario, List<Approval> decisions, Set<String> triggeredBy, Kind kind,
            String reason, String evidenceLine) {
        // when
        CheckResult result = check.evaluate(gate(List.of(FRIDAY_EVENING)), Map.of(), decisions, DIGEST, ALLOWED, triggeredBy, NOW, INTERVAL);

        // then
        assertResult(result, kind, reason, MONDAY_MORNING);
        assertThat(result.evidence()).contains(evidenceLine);
    }

    @Test
    void breakGlassEvidenceNamesEachApproverAndReasonInTheOrderTheyGaveIt() {
        // given
        List<Approval> decisions = List.of(
                breakGlass("U1", hoursAgo(1), "hotfix for the card outage"),
                breakGlass("U5", hoursAgo(3), "me too"),
                breakGlass("U2", hoursAgo(2), "agreed with U1"));

        // when
        CheckResult result = check.evaluate(gate(List.of(FRIDAY_EVENING)), Map.of(), decisions, DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED,
                NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).containsExactly(
                FRIDAY_EVENING_WINDOW,
                "break-glass not counted: U5 is not an allowed approver",
                "break-glass: U2 at 2026-03-07T10:00:00Z: agreed with U1",
                "break-glass: U1 at 2026-03-07T11:00:00Z: hotfix for the card outage",
                "frozen (frozen until 2026-03-09T07:00:00Z) but broken open by U2 and U1");
    }

    @Test
    void breakGlassOpensAnUnreadableCalendarToo() {
        // given
        List<Approval> decisions = List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U3", hoursAgo(1), "hotfix"));

        // when
        CheckResult result = check.evaluate(gate(List.of(CHANGE_CALENDAR)), Map.of(CALENDAR, CalendarReading.failed("throttled")),
                decisions, DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED, NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).contains("frozen (change calendar prod-releases could not be read) but broken open by U1 and U3");
    }

    @Test
    void breakGlassLeavesNoTraceWhenNothingIsFrozen() {
        // given
        List<Approval> decisions = List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", hoursAgo(1), "hotfix"));

        // when
        CheckResult result = check.evaluate(gate(List.of(CHRISTMAS, CHANGE_CALENDAR)), Map.of(CALENDAR, open()), decisions, DIGEST,
                ALLOWED, SOMEONE_ELSE_TRIGGERED, NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).containsExactly("no freeze window is open", "change calendar prod-releases: OPEN");
    }

    @Test
    void readsChangeCalendarsHereInsteadOfListingThemAsNotEvaluated() {
        // when
        CheckResult result = check.evaluate(gate(List.of(FRIDAY_EVENING, CHANGE_CALENDAR)), Map.of(CALENDAR, open()), List.of(), DIGEST,
                ALLOWED, SOMEONE_ELSE_TRIGGERED, NOW, INTERVAL);

        // then: the window alone holds the release; the calendar says what it is, once
        assertResult(result, Kind.WAIT, "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z", MONDAY_MORNING);
        assertThat(result.evidence()).containsExactly(FRIDAY_EVENING_WINDOW, "change calendar prod-releases: OPEN");
    }

    static Stream<Arguments> manualFreezes() {
        Instant inTwoHours = NOW.plus(Duration.ofHours(2));
        ManualFreeze prodForTwoHours = new ManualFreeze("prod", inTwoHours, "incident 4711", "U7", hoursAgo(1));
        String prodForTwoHoursText = "manual freeze of prod by U7 at 2026-03-07T11:00:00Z until 2026-03-07T14:00:00Z: incident 4711";
        ManualFreeze everywhereUntilLifted = new ManualFreeze(ManualFreeze.EVERY_ENVIRONMENT, null, "", "U7", hoursAgo(1));
        String everywhereText = "manual freeze of every environment by U7 at 2026-03-07T11:00:00Z until lifted";
        return Stream.of(
                manualRow("a manual freeze of the environment holds it until its end",
                        "prod", List.of(CHRISTMAS), List.of(prodForTwoHours),
                        Kind.WAIT, "held until 2026-03-07T14:00:00Z: " + prodForTwoHoursText, inTwoHours, prodForTwoHoursText),
                manualRow("a manual freeze of another environment holds nothing here",
                        "staging", List.of(CHRISTMAS), List.of(prodForTwoHours),
                        Kind.PASS, null, null, "no freeze window is open"),
                manualRow("a manual freeze of every environment without an end holds until lifted",
                        "staging", List.of(), List.of(everywhereUntilLifted),
                        Kind.WAIT, "held until the manual freeze is lifted: " + everywhereText, Instant.MAX, everywhereText),
                manualRow("a manual freeze that ended holds nothing",
                        "prod", List.of(), List.of(new ManualFreeze("prod", NOW, "over", "U7", hoursAgo(3))),
                        Kind.PASS, null, null, "no freeze window is open"),
                manualRow("a manual freeze and a window: held until the later opening",
                        "prod", List.of(FRIDAY_EVENING), List.of(prodForTwoHours),
                        Kind.WAIT, "held until 2026-03-09T07:00:00Z: frozen until 2026-03-09T07:00:00Z; " + prodForTwoHoursText,
                        MONDAY_MORNING, prodForTwoHoursText));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manualFreezes")
    void holdsTheReleaseWhileAManualFreezeCoversItsEnvironment(String scenario, String environment, List<GateConfig.Freeze> windows,
            List<ManualFreeze> manual, Kind kind, String reason, Instant nextLook, String evidenceLine) {
        // given
        FreezeCheck withManualFreezes = new FreezeCheck(stored(manual));

        // when
        CheckResult result = withManualFreezes.evaluate(environment, gate(windows), Map.of(), List.of(), DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED,
                NOW, INTERVAL);

        // then
        assertResult(result, kind, reason, nextLook);
        assertThat(result.evidence()).contains(evidenceLine);
    }

    @Test
    void breakGlassOpensAManualFreeze() {
        // given
        FreezeCheck withManualFreezes = new FreezeCheck(stored(List.of(new ManualFreeze("prod", null, "incident", "U7", hoursAgo(1)))));
        List<Approval> decisions = List.of(breakGlass("U1", hoursAgo(1), "hotfix"), breakGlass("U2", hoursAgo(1), "hotfix"));

        // when
        CheckResult result = withManualFreezes.evaluate("prod", gate(List.of()), Map.of(), decisions, DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED,
                NOW, INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).contains("frozen (manual freeze of prod by U7 at 2026-03-07T11:00:00Z until lifted: incident) but broken"
                + " open by U1 and U2");
    }

    @Test
    void withoutItsEnvironmentOnlyAManualFreezeOfEveryEnvironmentApplies() {
        // given
        FreezeCheck withManualFreezes = new FreezeCheck(stored(List.of(new ManualFreeze("prod", null, "incident", "U7", hoursAgo(1)))));

        // when: the environment-less overload, as GateService calls it today
        CheckResult result = withManualFreezes.evaluate(gate(List.of()), Map.of(), List.of(), DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED, NOW,
                INTERVAL);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
    }

    @Test
    void unreadableManualFreezesHoldTheReleaseUntilTheyCanBeRead() {
        // given
        FreezeCheck withManualFreezes = new FreezeCheck(new ManualFreezes() {
            @Override
            public void put(ManualFreeze freeze) {}

            @Override
            public void lift(String scope) {}

            @Override
            public List<ManualFreeze> all() {
                throw new ManualFreezesException("throttled", null);
            }
        });

        // when
        CheckResult result = withManualFreezes.evaluate("prod", gate(List.of()), Map.of(), List.of(), DIGEST, ALLOWED, SOMEONE_ELSE_TRIGGERED,
                NOW, INTERVAL);

        // then
        assertResult(result, Kind.UNKNOWN, "held until 2026-03-07T12:02:00Z: manual freezes could not be read", NOW.plus(INTERVAL));
        assertThat(result.evidence()).contains("manual freezes: unknown (throttled), treated as frozen");
    }

    /** Manual freezes as a store would hold them; core's tests cannot reach the in-memory fake in gantry-testing. */
    private static ManualFreezes stored(List<ManualFreeze> freezes) {
        return new ManualFreezes() {
            @Override
            public void put(ManualFreeze freeze) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void lift(String scope) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<ManualFreeze> all() {
                return freezes;
            }
        };
    }

    private static Arguments manualRow(String scenario, String environment, List<GateConfig.Freeze> windows, List<ManualFreeze> manual,
            Kind kind, String reason, Instant nextLook, String evidenceLine) {
        return Arguments.of(scenario, environment, windows, manual, kind, reason, nextLook, evidenceLine);
    }

    /** A freeze holds a release or lets it go; being frozen never fails one. */
    enum Kind { PASS, WAIT, UNKNOWN }

    private static void assertResult(CheckResult result, Kind kind, String reason, Instant nextLook) {
        assertThat(result.check()).isEqualTo("freeze");
        switch (kind) {
            case PASS -> assertThat(result).isInstanceOf(CheckResult.Pass.class);
            // Only a freeze known to be on holds the gate's timeout; a source that could not be read is an unknown.
            case WAIT, UNKNOWN -> assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
                assertThat(wait.reason()).isEqualTo(reason);
                assertThat(wait.nextLook()).isEqualTo(nextLook);
                assertThat(wait.unanswered()).as("unanswered").isEqualTo(kind == Kind.UNKNOWN);
            });
        }
    }

    private static GateConfig gate(List<GateConfig.Freeze> freezes) {
        return GateConfig.of("production", null, null, null, freezes, null);
    }

    private static GateConfig.Freeze oneOff(String from, String until) {
        return new GateConfig.Freeze(null, null, null, Instant.parse(from), Instant.parse(until), null);
    }

    private static CalendarReading open() {
        return CalendarReading.of(new CalendarState(true, NOW.plus(Duration.ofDays(2))));
    }

    private static CalendarReading closedUntil(Instant nextTransition) {
        return CalendarReading.of(new CalendarState(false, nextTransition));
    }

    private static Instant hoursAgo(int hours) {
        return NOW.minus(Duration.ofHours(hours));
    }

    private static Approval breakGlass(String user, Instant at, String reason) {
        return new Approval(user, at, DIGEST, BREAK_GLASS, reason);
    }

    private static Arguments row(String scenario, List<GateConfig.Freeze> freezes, Map<String, CalendarReading> readings, Kind kind,
            String reason, Instant nextLook, String evidenceLine) {
        return Arguments.of(scenario, freezes, readings, kind, reason, nextLook, evidenceLine);
    }

    private static Arguments breakGlassRow(String scenario, List<Approval> decisions, Set<String> triggeredBy, Kind kind, String reason,
            String evidenceLine) {
        return Arguments.of(scenario, decisions, triggeredBy, kind, reason, evidenceLine);
    }
}
