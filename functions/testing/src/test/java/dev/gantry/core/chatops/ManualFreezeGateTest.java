package dev.gantry.core.chatops;

import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateRecord;
import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_1;
import static dev.gantry.core.chatops.ChatOpsWorld.APPROVER_2;
import static dev.gantry.core.chatops.ChatOpsWorld.OPS;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.CheckResult;
import dev.gantry.core.gate.FreezeCheck;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code /gantry freeze} through to the gate's freeze check: what the command writes is what holds the release, and
 * lifting it lets the release go.
 */
class ManualFreezeGateTest {

    private static final ImageDigest DIGEST = digest("a1");
    private static final Duration INTERVAL = Duration.ofMinutes(1);

    private final ChatOpsWorld world = new ChatOpsWorld();
    private final GateConfig production = ChatOpsWorld.CONFIG.gate("production").orElseThrow();
    private final FreezeCheck check = new FreezeCheck(world.freezes);

    @Test
    void freezeOnHoldsTheGateUntilItsEndAndFreezeOffReleasesIt() {
        // when
        world.chatOps.handle(world.command(OPS, "freeze on prod until 2h incident 4711"));

        // then
        CheckResult frozen = evaluate("prod", List.of());
        assertThat(frozen).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.reason()).isEqualTo("held until 2026-11-23T12:00:00Z: manual freeze of prod by " + OPS
                    + " at 2026-11-23T10:00:00Z until 2026-11-23T12:00:00Z: incident 4711");
            assertThat(wait.nextLook()).isEqualTo(Instant.parse("2026-11-23T12:00:00Z"));
        });
        assertThat(evaluate("staging", List.of())).as("another environment is not held").isInstanceOf(CheckResult.Pass.class);

        // when
        world.chatOps.handle(world.command(OPS, "freeze off prod"));

        // then
        assertThat(evaluate("prod", List.of())).isInstanceOf(CheckResult.Pass.class);
    }

    @Test
    void freezeOnHoldsAReleaseAtTheGateServiceAndFreezeOffLetsItsOtherChecksDecide() {
        world.chatOps.handle(world.command(OPS, "freeze on prod until 2h incident 4711"));

        GateRecord held = world.waitingAtProd("1.4.0", DIGEST);

        assertThat(held.status()).isEqualTo(GateStatus.WAITING);
        assertThat(held.reason()).contains("manual freeze of prod by " + OPS);

        world.chatOps.handle(world.command(OPS, "freeze off prod"));
        world.clock.advance(Duration.ofMinutes(2));
        GateRecord after = world.waitingAtProd("1.4.0", DIGEST);

        assertThat(after.reason()).doesNotContain("manual freeze").contains("approval");
    }

    @Test
    void aFreezeWithoutAnEndHoldsUntilLifted() {
        world.chatOps.handle(world.command(OPS, "freeze on prod"));

        CheckResult frozen = evaluate("prod", List.of());

        assertThat(frozen).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.reason()).startsWith("held until the manual freeze is lifted: manual freeze of prod by " + OPS);
            assertThat(wait.nextLook()).isEqualTo(Instant.MAX);
        });
    }

    @Test
    void anEndedFreezeHoldsNothing() {
        world.chatOps.handle(world.command(OPS, "freeze on prod until 30m"));
        world.clock.advance(Duration.ofMinutes(30));

        assertThat(evaluate("prod", List.of())).isInstanceOf(CheckResult.Pass.class);
    }

    @Test
    void twoApproversBreakingTheGlassLetTheReleaseThrough() {
        world.chatOps.handle(world.command(OPS, "freeze on prod"));
        List<Approval> breakGlass = List.of(
                new Approval(APPROVER_1, world.clock.instant(), DIGEST, Approval.Decision.BREAK_GLASS, "hotfix for incident 4711"),
                new Approval(APPROVER_2, world.clock.instant(), DIGEST, Approval.Decision.BREAK_GLASS, "hotfix for incident 4711"));

        assertThat(evaluate("prod", breakGlass)).isInstanceOf(CheckResult.Pass.class);
    }

    @Test
    void unreadableManualFreezesCountAsAFreeze() {
        world.freezes.failWith("DynamoDB unavailable");

        CheckResult result = evaluate("prod", List.of());

        assertThat(result).isInstanceOfSatisfying(CheckResult.Wait.class, wait -> {
            assertThat(wait.reason()).isEqualTo("held until 2026-11-23T10:01:00Z: manual freezes could not be read");
            assertThat(wait.evidence()).contains("manual freezes: unknown (DynamoDB unavailable), treated as frozen");
        });
    }

    private CheckResult evaluate(String environment, List<Approval> decisions) {
        return check.evaluate(environment, production, Map.of(), decisions, DIGEST, Set.of(APPROVER_1, APPROVER_2), Set.of("U0DEV0001"),
                world.clock.instant(), INTERVAL);
    }
}
