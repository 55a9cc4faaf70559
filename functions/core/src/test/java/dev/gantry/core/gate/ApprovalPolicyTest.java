package dev.gantry.core.gate;

import static dev.gantry.core.gate.Approval.Decision.APPROVE;
import static dev.gantry.core.gate.Approval.Decision.REJECT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ApprovalPolicyTest {

    private static final Instant NOW = Instant.parse("2026-03-02T12:00:00Z");
    private static final ImageDigest DIGEST = ImageDigest.parse("sha256:" + "a".repeat(64));
    private static final ImageDigest OTHER_DIGEST = ImageDigest.parse("sha256:" + "b".repeat(64));
    /** Two of U1, U2, U3 or the ops group, as in the example; U1 is also in the group. */
    private static final GateConfig.Approvals TWO_OF_THEM =
            new GateConfig.Approvals(2, List.of("U1", "U2", "U3"), List.of("S0OPS"), Duration.ofHours(24));
    private static final Map<String, Set<String>> GROUPS = Map.of("S0OPS", Set.of("U1", "U4"));
    private static final String OUTSIDER = "U9";

    private final ApprovalPolicy policy = new ApprovalPolicy();

    static Stream<Arguments> decisions() {
        return Stream.of(
                row("nobody approved yet: wait for a new approval, no time-driven look",
                        List.of(), OUTSIDER, Kind.WAIT, "0 of 2 approvals", Instant.MAX),
                row("one of two approved: wait until that approval expires",
                        List.of(approve("U1", hoursAgo(1))), OUTSIDER, Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("two listed users approved",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(2))), OUTSIDER, Kind.PASS, null, null),
                row("the same person approving twice counts once, and the later approval sets the expiry",
                        List.of(approve("U1", hoursAgo(3)), approve("U1", hoursAgo(1))), OUTSIDER, Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("a user both listed and in a group counts once",
                        List.of(approve("U1", hoursAgo(1))), null, Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("a group member counts like a listed user",
                        List.of(approve("U1", hoursAgo(1)), approve("U4", hoursAgo(1))), OUTSIDER, Kind.PASS, null, null),
                row("the triggering person's approval does not count",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(2))), "U1", Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(22))),
                row("an unknown triggering person excludes nobody",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(2))), null, Kind.PASS, null, null),
                row("an approval of another digest does not count",
                        List.of(approve("U1", hoursAgo(1)), new Approval("U2", hoursAgo(1), OTHER_DIGEST, APPROVE, null)), OUTSIDER,
                        Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("an approval from someone not allowed does not count",
                        List.of(approve("U1", hoursAgo(1)), approve("U5", hoursAgo(1))), OUTSIDER, Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("an approval at exactly the expiry instant has expired",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", NOW.minus(Duration.ofHours(24)))), OUTSIDER,
                        Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("an approval a second before its expiry still counts",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", NOW.minus(Duration.ofHours(24)).plusSeconds(1))), OUTSIDER, Kind.PASS, null, null),
                row("an approval recorded after now does not count yet",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", NOW.plusSeconds(5))), OUTSIDER, Kind.WAIT, "1 of 2 approvals", NOW.plus(Duration.ofHours(23))),
                row("an allowed approver's reject fails, however many approved",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(1)), reject("U3", hoursAgo(2), "error rate too high")), OUTSIDER,
                        Kind.FAIL, "rejected by U3 (error rate too high)", null),
                row("a reject does not expire",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(1)), reject("U4", hoursAgo(48), null)), OUTSIDER,
                        Kind.FAIL, "rejected by U4", null),
                row("a reject from someone not allowed is ignored",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(1)), reject("U5", hoursAgo(1), "no")), OUTSIDER, Kind.PASS, null, null),
                row("a reject of another digest is ignored",
                        List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(1)), new Approval("U3", hoursAgo(1), OTHER_DIGEST, REJECT, "no")), OUTSIDER,
                        Kind.PASS, null, null),
                row("a later approval replaces the same person's reject",
                        List.of(reject("U2", hoursAgo(3), "wait for the fix"), approve("U2", hoursAgo(1)), approve("U1", hoursAgo(1))), OUTSIDER, Kind.PASS, null, null),
                row("a later reject replaces the same person's approval",
                        List.of(approve("U2", hoursAgo(3)), approve("U1", hoursAgo(1)), reject("U2", hoursAgo(1), "found a bug")), OUTSIDER,
                        Kind.FAIL, "rejected by U2 (found a bug)", null),
                row("the triggering person may still reject their own release",
                        List.of(approve("U2", hoursAgo(1)), approve("U3", hoursAgo(1)), reject("U1", hoursAgo(1), "wrong build")), "U1",
                        Kind.FAIL, "rejected by U1 (wrong build)", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decisions")
    void decidesTheApprovalsCheck(String scenario, List<Approval> recorded, String triggeredBy, Kind kind, String reason, Instant nextLook) {
        // when
        CheckResult result = policy.evaluate(TWO_OF_THEM, recorded, DIGEST, triggeredBy == null ? Set.of() : Set.of(triggeredBy), GROUPS, NOW);

        // then
        assertThat(result.check()).isEqualTo("approvals");
        switch (kind) {
            case PASS -> assertThat(result).isInstanceOf(CheckResult.Pass.class);
            case WAIT -> assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
                assertThat(wait.reason()).isEqualTo(reason);
                assertThat(wait.nextLook()).isEqualTo(nextLook);
            });
            case FAIL -> assertThat(result).isInstanceOfSatisfying(CheckResult.Fail.class, fail -> assertThat(fail.reason()).isEqualTo(reason));
        }
    }

    @Test
    void nextLookIsTheEarliestExpiryAmongCountedApprovals() {
        // given
        GateConfig.Approvals threeOfThem = new GateConfig.Approvals(3, List.of("U1", "U2", "U3"), List.of(), Duration.ofHours(24));
        List<Approval> recorded = List.of(approve("U1", hoursAgo(1)), approve("U2", hoursAgo(5)));

        // when
        CheckResult result = policy.evaluate(threeOfThem, recorded, DIGEST, Set.of(), Map.of(), NOW);

        // then
        assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.reason()).isEqualTo("2 of 3 approvals");
            assertThat(wait.nextLook()).isEqualTo(NOW.plus(Duration.ofHours(19)));
        });
    }

    @Test
    void evidenceSaysWhoCountedAndWhyOthersDidNot() {
        // given
        List<Approval> recorded = List.of(
                approve("U1", hoursAgo(1)),
                approve("U2", hoursAgo(2)),
                approve("U5", hoursAgo(3)),
                new Approval("U3", hoursAgo(4), OTHER_DIGEST, APPROVE, null),
                approve("U4", hoursAgo(30)));

        // when
        CheckResult result = policy.evaluate(TWO_OF_THEM, recorded, DIGEST, Set.of("U1"), GROUPS, NOW);

        // then
        assertThat(result.evidence()).containsExactlyInAnyOrder(
                "1 of 2 approvals",
                "not counted: U1 triggered the release and cannot approve it",
                "approved: U2 at 2026-03-02T10:00:00Z, valid until 2026-03-03T10:00:00Z",
                "not counted: U5 is not an allowed approver",
                "not counted: U3 decided on bbbbbbbbbbbb, not on this digest aaaaaaaaaaaa",
                "not counted: U4's approval at 2026-03-01T06:00:00Z expired at 2026-03-02T06:00:00Z");
    }

    @Test
    void evidenceOfAFailureNamesWhoRejectedAndWhy() {
        // given
        List<Approval> recorded = List.of(reject("U3", hoursAgo(1), "error rate too high"));

        // when
        CheckResult result = policy.evaluate(TWO_OF_THEM, recorded, DIGEST, Set.of(OUTSIDER), GROUPS, NOW);

        // then
        assertThat(result.evidence()).containsExactly("rejected: U3 at 2026-03-02T11:00:00Z: error rate too high");
    }

    @Test
    void aGroupWithUnknownMembersCountsNobodyAndSaysSo() {
        // given
        List<Approval> recorded = List.of(approve("U1", hoursAgo(1)), approve("U4", hoursAgo(1)));

        // when
        CheckResult result = policy.evaluate(TWO_OF_THEM, recorded, DIGEST, Set.of(OUTSIDER), Map.of(), NOW);

        // then
        assertThat(result).isInstanceOf(CheckResult.Wait.class);
        assertThat(result.evidence()).contains("group S0OPS: members unknown, none counted", "not counted: U4 is not an allowed approver");
    }

    @Test
    void passesWithTheTallyAsEvidence() {
        // given
        List<Approval> recorded = List.of(approve("U1", hoursAgo(1)), approve("U4", hoursAgo(1)), approve("U2", hoursAgo(1)));

        // when
        CheckResult result = policy.evaluate(TWO_OF_THEM, recorded, DIGEST, Set.of(OUTSIDER), GROUPS, NOW);

        // then
        assertThat(result).isInstanceOf(CheckResult.Pass.class);
        assertThat(result.evidence()).first().isEqualTo("3 of 2 approvals");
    }

    @Test
    void rejectsARequiredCountBelowOne() {
        // given
        GateConfig.Approvals none = new GateConfig.Approvals(0, List.of("U1"), List.of(), null);

        // when / then
        assertThatThrownBy(() -> policy.evaluate(none, List.of(), DIGEST, Set.of(), Map.of(), NOW))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("approvals.required must be at least 1, was 0");
    }

    enum Kind { PASS, WAIT, FAIL }

    private static Instant hoursAgo(int hours) {
        return NOW.minus(Duration.ofHours(hours));
    }

    private static Approval approve(String user, Instant at) {
        return new Approval(user, at, DIGEST, APPROVE, null);
    }

    private static Approval reject(String user, Instant at, String comment) {
        return new Approval(user, at, DIGEST, REJECT, comment);
    }

    private static Arguments row(String scenario, List<Approval> recorded, String triggeredBy, Kind kind, String reason, Instant nextLook) {
        return Arguments.of(scenario, recorded, triggeredBy, kind, reason, nextLook);
    }
}
