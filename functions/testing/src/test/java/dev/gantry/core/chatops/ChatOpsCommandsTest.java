package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.ChatOpsWorld.DEV;
import static dev.gantry.core.chatops.ChatOpsWorld.OPS;
import static dev.gantry.core.chatops.ChatOpsWorld.PROD;
import static dev.gantry.core.chatops.ChatOpsWorld.REGISTRY;
import static dev.gantry.core.chatops.ChatOpsWorld.STAGING;
import static dev.gantry.core.chatops.ChatOpsWorld.STRANGER;
import static dev.gantry.core.chatops.ChatOpsWorld.TEAMMATE;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static dev.gantry.core.chatops.ChatOpsWorld.textOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code /gantry} commands end to end over fakes: who may run them, what they change, once, and what is recorded. */
class ChatOpsCommandsTest {

    private static final ImageDigest D140 = digest("a1");
    private static final ImageDigest D141 = digest("b2");
    private static final ImageDigest D142 = digest("c3");

    private final ChatOpsWorld world = new ChatOpsWorld();

    @Test
    void deploysTheDigestATagPointsAtToTheServicesFirstEnvironment() {
        // given
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        // when
        ChatReply reply = world.chatOps.handle(world.command(DEV, "deploy payments-api 1.4.0"));

        // then
        assertThat(world.ecs.running(STAGING).containers()).containsExactly(new ContainerImage("app", REGISTRY + "/payments-api@" + D140.value()));
        assertThat(world.ecs.running(PROD).containers().get(0).image()).endsWith(":1.3.0");
        assertThat(world.registry.lookups()).extracting(i -> i.render()).containsExactly(REGISTRY + "/payments-api:1.4.0");
        assertThat(reply.ephemeral()).as("a change is announced to the channel").isFalse();
        assertThat(textOf(reply)).contains("*staging*").contains("DEPLOYED").contains("<@" + DEV + ">")
                .contains("payments-api:1.3.0 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1");
        assertThat(world.audit.entries()).singleElement().satisfies(entry -> {
            assertThat(entry.id()).startsWith("command#T0GANTRY1#trigger-");
            assertThat(entry.userId()).isEqualTo(DEV);
            assertThat(entry.action()).isEqualTo("deploy");
            assertThat(entry.service()).isEqualTo("payments-api");
            assertThat(entry.environment()).isEqualTo("staging");
            assertThat(entry.digest()).isEqualTo(D140.value());
            assertThat(entry.subject()).isEqualTo("1.4.0");
            assertThat(entry.outcome()).isEqualTo(AuditEntry.Outcome.DONE);
            assertThat(entry.at()).isEqualTo(world.clock.instant());
        });
    }

    @Test
    void letsAMemberOfAPermittedGroupDeploy() {
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        ChatReply reply = world.chatOps.handle(world.command(TEAMMATE, "deploy payments-api 1.4.0 staging"));

        assertThat(textOf(reply)).contains("DEPLOYED");
        assertThat(world.ecs.calls("UpdateService")).hasSize(1);
    }

    @Test
    void aRetriedCommandWithTheSameTriggerIdHasOneEffect() {
        // given
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);
        ChatCommand command = world.command(DEV, "deploy payments-api 1.4.0", "trigger-retried");
        ChatReply first = world.chatOps.handle(command);

        // when: Slack delivers it again, later
        world.clock.advance(Duration.ofMinutes(5));
        ChatReply retry = world.chatOps.handle(command);

        // then
        assertThat(world.ecs.calls("RegisterTaskDefinition")).hasSize(1);
        assertThat(world.ecs.calls("UpdateService")).hasSize(1);
        assertThat(world.registry.lookups()).hasSize(1);
        assertThat(retry.ephemeral()).isTrue();
        assertThat(textOf(retry)).startsWith("Already done: ").contains("DEPLOYED");
        assertThat(textOf(first)).contains("DEPLOYED");
        assertThat(world.audit.entries()).hasSize(1);
    }

    @Test
    void aCommandRetriedWhileTheFirstIsRunningIsToldSoAndChangesNothing() {
        world.ledger.claim("command#T0GANTRY1#trigger-busy", "another-invocation", world.clock.instant(), ChatOpsService.LEASE);

        ChatReply reply = world.chatOps.handle(world.command(OPS, "unpin payments-api prod", "trigger-busy"));

        assertThat(textOf(reply)).isEqualTo("Already being handled; the answer follows.");
        assertThat(world.audit.entries()).isEmpty();
    }

    @Test
    void refusesACommandFromAnotherWorkspaceAndRecordsTheAttempt() {
        ChatCommand foreign = new ChatCommand("T0OTHER01", ChatOpsWorld.APP, OPS, "ops", "/gantry", "freeze on prod", null, "trigger-x", "C1");

        ChatReply reply = world.chatOps.handle(foreign);

        assertThat(reply.ephemeral()).isTrue();
        assertThat(textOf(reply)).contains("does not answer requests from this Slack workspace");
        assertThat(world.freezes.all()).isEmpty();
        assertThat(world.audit.entries()).singleElement().satisfies(entry -> {
            assertThat(entry.outcome()).isEqualTo(AuditEntry.Outcome.REFUSED);
            assertThat(entry.teamId()).isEqualTo("T0OTHER01");
            assertThat(entry.action()).isEqualTo("freeze");
        });
    }

    @Test
    void refusesACommandThroughAnotherApp() {
        ChatCommand otherApp = new ChatCommand(ChatOpsWorld.TEAM, "A0OTHERAP", OPS, "ops", "/gantry", "status payments-api", null, "t", "C1");

        ChatReply reply = world.chatOps.handle(otherApp);

        assertThat(textOf(reply)).contains("does not answer requests sent through this Slack app");
    }

    @Test
    void refusesACommandThePersonIsNotPermittedAndChangesNothing() {
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        ChatReply reply = world.chatOps.handle(world.command(DEV, "deploy payments-api 1.4.0 prod"));

        assertThat(textOf(reply)).isEqualTo("Refused: you may not deploy payments-api in prod (ask whoever keeps gantry.yml to add you to its"
                + " permissions).");
        assertThat(world.ecs.calls()).isEmpty();
        assertThat(world.registry.lookups()).as("a refused command asks nothing").isEmpty();
        assertThat(world.audit.entries()).extracting(AuditEntry::action, AuditEntry::userId, AuditEntry::environment, AuditEntry::outcome)
                .containsExactly(tuple("deploy", DEV, "prod", AuditEntry.Outcome.REFUSED));
    }

    @Test
    void refusesEveryMutatingCommandInAnEnvironmentWithoutPermissions() {
        ChatReply reply = world.chatOps.handle(world.command(OPS, "unpin checkout-web staging"));

        assertThat(textOf(reply)).startsWith("Refused: you may not unpin checkout-web in staging");
    }

    @Test
    void answersStatusAndHelpToAnyoneInTheWorkspacePrivately() {
        ChatReply status = world.chatOps.handle(world.command(STRANGER, "status payments-api"));
        ChatReply help = world.chatOps.handle(world.command(STRANGER, ""));

        assertThat(status.ephemeral()).isTrue();
        assertThat(textOf(status)).contains("*staging*").contains("runs nothing Gantry deployed");
        assertThat(help.ephemeral()).isTrue();
        assertThat(textOf(help)).contains("/gantry deploy <service> <tag> [env]").contains("first environment");
        assertThat(world.audit.entries()).as("reading is not audited").isEmpty();
    }

    @Test
    void answersACommandThatDoesNotReadWithTheProblemAndTheUsage() {
        ChatReply reply = world.chatOps.handle(world.command(OPS, "pin payments-api prood 1.4.0"));

        assertThat(reply.ephemeral()).isTrue();
        assertThat(textOf(reply)).isEqualTo("service payments-api has no environment 'prood'; it runs in staging, prod\nUsage:\n"
                + SlashCommandParser.USAGE.get("pin"));
    }

    @Test
    void saysSoWhenTheTagPointsAtNothing() {
        ChatReply reply = world.chatOps.handle(world.command(DEV, "deploy payments-api 9.9.9"));

        assertThat(textOf(reply)).isEqualTo("No image tagged `9.9.9` in repository payments-api (111111111111, eu-west-1)");
        assertThat(reply.ephemeral()).isTrue();
        assertThat(world.ecs.calls()).isEmpty();
        assertThat(world.audit.entries()).extracting(AuditEntry::outcome).containsExactly(AuditEntry.Outcome.FAILED);
    }

    @Test
    void aDeployToAGatedEnvironmentWaitsAtTheGateWithThePersonAsItsTrigger() {
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        ChatReply reply = world.chatOps.handle(world.command(OPS, "deploy payments-api 1.4.0 prod"));

        assertThat(textOf(reply)).contains("HELD").contains("0 of 2 approvals");
        var record = world.gates.find(new ReleaseKey("payments-api", "prod", D140)).orElseThrow();
        assertThat(record.status()).isEqualTo(GateStatus.WAITING);
        assertThat(record.triggeredBy()).containsExactly(OPS);
    }

    @Test
    void rollsBackToTheNewestEarlierReleaseThatCompletedAndWasNotRolledBack() {
        // given: 1.4.0 completed, 1.4.1 rolled back (ECS is back on 1.4.0), 1.4.2 failed
        deployed("1.4.0", D140, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.1", D141, RolloutStatus.ROLLED_BACK);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.2", D142, RolloutStatus.COMPLETED);

        // when
        RollbackPlanner.Plan plan = RollbackPlanner.plan(world.releases.history("payments-api", "staging"), r -> false);

        // then
        assertThat(plan.current().key().digest()).isEqualTo(D142);
        assertThat(plan.target().key().digest()).isEqualTo(D140);
        assertThat(plan.passedOver()).containsExactly("1.4.1 (b2b2b2b2b2b2): rolled back");
    }

    @Test
    void aRollbackDeploysTheEarlierDigestAgainOnceEvenWhenSlackRetriesTheRequest() {
        // given
        deployed("1.4.0", D140, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.2", D142, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofMinutes(10));
        ChatCommand command = world.command(OPS, "rollback payments-api staging", "trigger-rollback");

        // when: Slack delivers the command, and again later
        ChatReply reply = world.chatOps.handle(command);
        world.clock.advance(Duration.ofMinutes(5));
        ChatReply retry = world.chatOps.handle(command);

        // then
        assertThat(world.ecs.running(STAGING).containers()).containsExactly(new ContainerImage("app", REGISTRY + "/payments-api@" + D140.value()));
        assertThat(world.ecs.calls("UpdateService")).as("1.4.0, 1.4.2 and the rollback").hasSize(3);
        assertThat(reply.ephemeral()).as("a change is announced to the channel").isFalse();
        assertThat(textOf(reply)).contains("Rollback of payments-api in *staging* to 1.4.0 (a1a1a1a1a1a1) by <@" + OPS + ">: *DEPLOYED*")
                .contains("rolled back from 1.4.2 (c3c3c3c3c3c3) to 1.4.0 (a1a1a1a1a1a1), and c3c3c3c3c3c3 is vetoed for staging")
                .contains("payments-api@sha256:c3c3c3c3c3c3 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1")
                .contains("from 1.4.2 (c3c3c3c3c3c3) to 1.4.0 (a1a1a1a1a1a1)");
        assertThat(retry.ephemeral()).isTrue();
        assertThat(textOf(retry)).startsWith("Already done: Rollback of payments-api").contains("DEPLOYED");
        assertThat(world.controls.vetoOf("payments-api", "staging", D142)).hasValueSatisfying(veto -> assertThat(veto.by()).isEqualTo(OPS));
        assertThat(world.audit.entries().getLast()).extracting(AuditEntry::action, AuditEntry::digest, AuditEntry::outcome)
                .containsExactly("rollback", D140.value(), AuditEntry.Outcome.DONE);
        assertThat(world.audit.entries()).filteredOn(e -> e.action().equals("rollback")).hasSize(1);
        assertThat(textOf(world.chatOps.handle(world.command(STRANGER, "status payments-api")))).contains("runs `1.4.0` (`a1a1a1a1a1a1`)");
    }

    @Test
    void aRollbackWhoseAnswerWasLostGoesNoFurtherBackWhenSlackRetriesIt() {
        // given: the rollback to 1.4.1 went through, then its audit entry could not be written, so the request stays open
        deployed("1.4.0", D140, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.1", D141, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.2", D142, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofMinutes(10));
        ChatCommand command = world.command(OPS, "rollback payments-api staging", "trigger-lost");
        world.audit.failNextWith(new AuditLog.AuditLogException("table unavailable", null));
        assertThatThrownBy(() -> world.chatOps.handle(command)).isInstanceOf(AuditLog.AuditLogException.class);

        // when
        world.clock.advance(Duration.ofMinutes(1));
        ChatReply retry = world.chatOps.handle(command);

        // then: still on 1.4.1, not rolled back past it to 1.4.0
        assertThat(world.ecs.running(STAGING).containers().get(0).image()).endsWith(D141.value());
        assertThat(world.ecs.calls("UpdateService")).hasSize(4);
        assertThat(textOf(retry)).contains("to 1.4.1 (b2b2b2b2b2b2)").contains("DUPLICATE");
        assertThat(world.controls.vetoOf("payments-api", "staging", D141)).isEmpty();
        assertThat(world.audit.entries()).filteredOn(e -> e.action().equals("rollback"))
                .extracting(AuditEntry::digest, AuditEntry::outcome).containsExactly(tuple(D141.value(), AuditEntry.Outcome.DONE));
    }

    @Test
    void aRollbackPassesOverAVetoedRelease() {
        // given
        deployed("1.4.0", D140, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.1", D141, RolloutStatus.COMPLETED);
        world.controls.veto(new DeployControls.Veto("payments-api", "staging", D141, "leaks memory", OPS, world.clock.instant()));
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.2", D142, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofMinutes(10));

        // when
        ChatReply reply = world.chatOps.handle(world.command(OPS, "rollback payments-api staging"));

        // then
        assertThat(world.ecs.running(STAGING).containers().get(0).image()).endsWith(D140.value());
        assertThat(textOf(reply)).contains("*DEPLOYED*").contains("passed over 1.4.1 (b2b2b2b2b2b2): vetoed here");
    }

    @Test
    void saysThereIsNothingToRollBackWhenGantryDeployedNothingThere() {
        ChatReply reply = world.chatOps.handle(world.command(OPS, "rollback payments-api staging"));

        assertThat(textOf(reply)).isEqualTo("Nothing to roll back: Gantry has deployed nothing to payments-api in staging that still runs");
        assertThat(reply.ephemeral()).isTrue();
        assertThat(world.ecs.calls()).isEmpty();
        assertThat(world.audit.entries()).extracting(AuditEntry::action, AuditEntry::outcome)
                .containsExactly(tuple("rollback", AuditEntry.Outcome.REFUSED));
    }

    @Test
    void saysThereIsNothingToRollBackToWhenNoEarlierReleaseQualifies() {
        deployed("1.4.1", D141, RolloutStatus.ROLLED_BACK);
        world.clock.advance(Duration.ofHours(1));
        deployed("1.4.2", D142, RolloutStatus.COMPLETED);

        ChatReply reply = world.chatOps.handle(world.command(OPS, "rollback payments-api staging"));

        assertThat(textOf(reply)).startsWith("Nothing to roll back to: payments-api in staging runs 1.4.2 (c3c3c3c3c3c3)")
                .contains("• 1.4.1 (b2b2b2b2b2b2): rolled back");
        assertThat(world.ecs.calls("UpdateService")).hasSize(2);
    }

    @Test
    void pinsAnEnvironmentToTheDigestATagPointsAtForADuration() {
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        ChatReply reply = world.chatOps.handle(world.command(OPS, "pin payments-api prod 1.4.0 for 2h incident 4711"));

        DeployControls.Pin pin = world.controls.pinOf("payments-api", "prod").orElseThrow();
        assertThat(pin.digest()).isEqualTo(D140);
        assertThat(pin.until()).isEqualTo(world.clock.instant().plus(Duration.ofHours(2)));
        assertThat(pin.reason()).isEqualTo("incident 4711");
        assertThat(pin.by()).isEqualTo(OPS);
        assertThat(reply.ephemeral()).isFalse();
        assertThat(textOf(reply)).startsWith("payments-api/prod pinned to a1a1a1a1a1a1 until 2026-11-23T12:00:00Z by " + OPS);
    }

    @Test
    void pinsWithoutAReasonSayingSoThenUnpinsAndVetoes() {
        world.chatOps.handle(world.command(OPS, "pin payments-api prod " + D140.value()));
        assertThat(world.controls.pinOf("payments-api", "prod").orElseThrow().reason()).isEqualTo(ControlCommands.NO_REASON);

        world.chatOps.handle(world.command(OPS, "unpin payments-api prod"));
        ChatReply veto = world.chatOps.handle(world.command(OPS, "veto payments-api prod " + D141.value() + " leaks memory under load"));

        assertThat(world.controls.pinOf("payments-api", "prod")).isEmpty();
        DeployControls.Veto stored = world.controls.vetoOf("payments-api", "prod", D141).orElseThrow();
        assertThat(stored.reason()).isEqualTo("leaks memory under load");
        assertThat(stored.by()).isEqualTo(OPS);
        assertThat(textOf(veto)).isEqualTo(D141.shortForm() + " vetoed for payments-api/prod by " + OPS
                + ". Gantry will not deploy it to prod, whoever asks.");
        assertThat(world.audit.entries()).extracting(AuditEntry::action, AuditEntry::digest, AuditEntry::outcome).containsExactly(
                tuple("pin", D140.value(), AuditEntry.Outcome.DONE),
                tuple("unpin", null, AuditEntry.Outcome.DONE),
                tuple("veto", D141.value(), AuditEntry.Outcome.DONE));
    }

    @Test
    void rebuildsABaseImagesDependentsOncePerRequest() {
        world.registry.givenTag(REGISTRY + "/golden/java21:latest", digest("d4"));
        ChatCommand command = world.command(OPS, "rebuild golden-java21 openssl CVE", "trigger-rebuild");

        ChatReply reply = world.chatOps.handle(command);
        world.clock.advance(Duration.ofMinutes(10));
        world.chatOps.handle(command);

        assertThat(world.builds.starts()).singleElement().satisfies(start -> assertThat(start.target().name()).isEqualTo("payments-api-image"));
        assertThat(textOf(reply)).contains("Rebuild of *golden-java21* by <@" + OPS + ">");
        assertThat(world.audit.entries()).extracting(AuditEntry::action, AuditEntry::subject, AuditEntry::outcome)
                .containsExactly(tuple("rebuild", "golden-java21", AuditEntry.Outcome.DONE));
    }

    @Test
    void refusesARebuildToWhoeverSlackPermissionsDoNotName() {
        ChatReply reply = world.chatOps.handle(world.command(DEV, "rebuild golden-java21"));

        assertThat(textOf(reply)).startsWith("Refused: you may not rebuild golden-java21");
        assertThat(world.builds.starts()).isEmpty();
    }

    @Test
    void freezesAnEnvironmentAndLiftsItAgain() {
        ChatReply on = world.chatOps.handle(world.command(OPS, "freeze on prod until 4h incident 4711"));

        assertThat(world.freezes.all()).containsExactly(new ManualFreeze("prod", world.clock.instant().plus(Duration.ofHours(4)),
                "incident 4711", OPS, world.clock.instant()));
        assertThat(on.ephemeral()).isFalse();
        assertThat(textOf(on)).contains("*Prod* frozen by <@" + OPS + "> until 2026-11-23T14:00:00Z: incident 4711");

        ChatReply off = world.chatOps.handle(world.command(OPS, "freeze off prod"));

        assertThat(world.freezes.all()).isEmpty();
        assertThat(textOf(off)).startsWith("Prod unfrozen by " + OPS + ": lifted manual freeze of prod");
        assertThat(world.audit.entries()).extracting(AuditEntry::action, AuditEntry::environment)
                .containsExactly(tuple("freeze on", "prod"), tuple("freeze off", "prod"));
    }

    @Test
    void aFreezeOfEveryEnvironmentNeedsThePermissionInEachOfThem() {
        // checkout-web's staging names nobody, so nobody may freeze staging or everything
        ChatReply staging = world.chatOps.handle(world.command(OPS, "freeze on staging"));
        ChatReply everything = world.chatOps.handle(world.command(OPS, "freeze on"));

        assertThat(textOf(staging)).startsWith("Refused: you may not freeze on staging");
        assertThat(textOf(everything)).startsWith("Refused: you may not freeze on every environment");
        assertThat(world.freezes.all()).isEmpty();
    }

    @Test
    void statusShowsWhatRunsThePinVetoesFreezesAndTheReleaseAtTheGate() {
        // given
        deployed("1.4.0", D140, RolloutStatus.COMPLETED);
        world.clock.advance(Duration.ofMinutes(30));
        deployed("1.4.1", D141, RolloutStatus.ROLLED_BACK);
        world.controls.veto(new DeployControls.Veto("payments-api", "staging", D141, "rolled back", "gantry", world.clock.instant()));
        world.controls.pin(new DeployControls.Pin("payments-api", "prod", D140, null, "quarter end", OPS, world.clock.instant()));
        world.freezes.put(new ManualFreeze("prod", null, "incident 4711", OPS, world.clock.instant()));
        world.waitingAtProd("1.4.2", D142);

        // when
        ChatReply reply = world.chatOps.handle(world.command(STRANGER, "status payments-api"));

        // then
        String status = textOf(reply);
        assertThat(status).contains("runs `1.4.0` (`a1a1a1a1a1a1`), rollout COMPLETED since 2026-11-23T10:00:00Z");
        assertThat(status).contains("newest attempt `1.4.1` (`b2b2b2b2b2b2`): SERVICE_UPDATED, rollout ROLLED_BACK");
        assertThat(status).contains("vetoed: `1.4.1` (`b2b2b2b2b2b2`) by gantry: rolled back");
        assertThat(status).contains("pinned to `a1a1a1a1a1a1` by <@" + OPS + ">: quarter end");
        assertThat(status).contains("frozen: manual freeze of prod by " + OPS);
        assertThat(status).contains("at gate 'production': `1.4.2` (`c3c3c3c3c3c3`) WAITING");
        assertThat(reply.message().text()).startsWith("payments-api: staging: runs `1.4.0`");
    }

    @Test
    void anAuditLogThatCannotBeWrittenFailsTheRequestAndLetsTheRetryRecordIt() {
        // given
        ChatCommand command = world.command(OPS, "freeze on prod", "trigger-audit");
        world.audit.failNextWith(new AuditLog.AuditLogException("table unavailable", null));

        // when
        assertThatThrownBy(() -> world.chatOps.handle(command)).isInstanceOf(AuditLog.AuditLogException.class);
        ChatReply retry = world.chatOps.handle(command);

        // then: the freeze (idempotent) went in, and the retry recorded it
        assertThat(textOf(retry)).contains("frozen by");
        assertThat(world.audit.entries()).extracting(AuditEntry::id).containsExactly("command#T0GANTRY1#trigger-audit");
    }

    /** Records {@code tag} at {@code digest} as deployed to payments-api in staging, with its rollout's end; returns its revision. */
    private String deployed(String tag, ImageDigest digest, RolloutStatus rollout) {
        world.registry.givenTag(REGISTRY + "/payments-api:" + tag, digest);
        world.chatOps.handle(world.command(OPS, "deploy payments-api " + tag + " staging"));
        ReleaseKey key = new ReleaseKey("payments-api", "staging", digest);
        world.releases.recordRollout(key, rollout, rollout == RolloutStatus.ROLLED_BACK ? "circuit breaker" : null, world.clock.instant());
        Release release = world.releases.find(key).orElseThrow();
        return release.taskDefinitionArn();
    }
}
