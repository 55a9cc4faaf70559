package dev.gantry.core.notify;

import java.time.Instant;
import dev.gantry.core.release.Release;
import dev.gantry.core.deploy.DeployOutcome;
import static dev.gantry.core.notify.Story.SERVICE;
import static dev.gantry.core.notify.Story.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged.Dependent;
import dev.gantry.core.notify.ReleaseThread.Phase;
import dev.gantry.core.notify.ReleaseThread.Status;
import dev.gantry.core.release.RolloutStatus;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReleaseThreadTest {

    private static final ThreadKey RELEASE = ThreadKey.release(SERVICE, Story.DIGEST);
    private static final String MENTION = "<!subteam^S0PLATFORM>";
    private static final ThreadKey OPERATIONS = ThreadKey.operations("Gantry-failed-invocations-depth", Story.REGION);

    private static ReleaseThread release() {
        return ReleaseThread.open(RELEASE, MENTION);
    }

    @Test
    void returnsTheSameThreadForNewsAlreadyApplied() {
        ReleaseNews deployed = Story.deployed("staging", T0);
        ReleaseThread once = release().apply(deployed);

        ReleaseThread twice = once.apply(deployed);

        assertThat(twice).isSameAs(once);
        assertThat(once.applied(deployed.newsId())).isTrue();
    }

    @Test
    void tellsARollbackToTheReleaseAsANewDeployOfItsEnvironment() {
        ReleaseThread completed = release().apply(Story.deployed("staging", T0))
                .apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));
        Instant later = T0.plusSeconds(3_600);
        Release rolledBackTo = Story.release("staging", T0).rollout(RolloutStatus.COMPLETED, null, T0.plusSeconds(240))
                .redeployClaimed("rollback-trigger", "worker", later.plusSeconds(60), later)
                .registered(Story.taskDefinition("staging", 8), Story.taskDefinition("staging", 9), List.of(Story.CHANGE), later)
                .serviceUpdated(later);
        DeployOutcome outcome = new DeployOutcome(Story.SERVICE, "staging", DeployOutcome.Result.DEPLOYED, "rolled back",
                rolledBackTo.previousTaskDefinitionArn(), rolledBackTo.taskDefinitionArn(), rolledBackTo.changes());

        ReleaseThread redeploying = completed.apply(ReleaseNews.DeployStarted.of(outcome, rolledBackTo, null, null, List.of(), later));
        ReleaseThread redeployed = redeploying.apply(
                ReleaseNews.RolloutChanged.of(rolledBackTo.rollout(RolloutStatus.COMPLETED, null, later.plusSeconds(200)), later.plusSeconds(200)));

        assertThat(redeploying.environments()).extracting(ReleaseThread.Environment::phase).containsExactly(Phase.DEPLOYING);
        assertThat(redeployed.environments()).extracting(ReleaseThread.Environment::phase).containsExactly(Phase.DEPLOYED);
        assertThat(redeployed.environments().getFirst().at()).isEqualTo(later.plusSeconds(200));
    }

    @Test
    void ignoresARolloutStatusOlderThanTheOneItKnows() {
        ReleaseThread completed = release().apply(Story.deployed("staging", T0))
                .apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));

        ReleaseThread late = completed.apply(Story.rollout("staging", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(30)));
        ReleaseThread failedLater = completed.apply(Story.rollout("staging", RolloutStatus.FAILED, "late", T0.plusSeconds(300)));

        assertThat(late).isSameAs(completed);
        assertThat(failedLater).isSameAs(completed);
        assertThat(completed.environments()).extracting(ReleaseThread.Environment::phase).containsExactly(Phase.DEPLOYED);
    }

    @Test
    void recordsARollbackThatTurnedOutToFollowAFailure() {
        ReleaseThread failed = release().apply(Story.rollout("staging", RolloutStatus.FAILED, "tasks failed to start", T0));

        ReleaseThread rolledBack = failed.apply(Story.rollout("staging", RolloutStatus.ROLLED_BACK, "circuit breaker", T0.plusSeconds(5)));

        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(rolledBack.status()).isEqualTo(Status.ROLLED_BACK);
        assertThat(rolledBack.environments().getFirst().detail()).isEqualTo("circuit breaker");
        assertThat(rolledBack.pendingReplies()).hasSize(2).allSatisfy(r -> assertThat(r.markdown()).endsWith("\n" + MENTION));
    }

    @Test
    void keepsTheHeadlineRevisionForNewsThatOnlyAddsAReply() {
        GateRecord gate = Story.waitingForApprovals(Story.atGate(T0), 0, T0);
        ReleaseThread waiting = release().apply(ReleaseNews.GateChanged.of(gate));

        ReleaseThread approved = waiting.apply(ReleaseNews.GateDecided.of(Story.approvedBy(gate, "U034BOB", T0.plusSeconds(60))).getFirst());

        assertThat(waiting.revision()).isEqualTo(1);
        assertThat(approved.revision()).isEqualTo(waiting.revision());
        assertThat(approved.headline()).isEqualTo(waiting.headline());
        assertThat(approved.newReplies()).hasSize(2);
        assertThat(approved.newReplies().getLast().text()).isEqualTo("prod gate: approved by U034BOB: checked the canary");
    }

    @Test
    void keepsOnlyTheNewestNewsIds() {
        ReleaseThread thread = release();
        List<ReleaseNews> alarms = IntStream.range(0, 250)
                .mapToObj(i -> (ReleaseNews) ReleaseNews.AlarmChanged.of(RELEASE, "payments-api-5xx", i % 2 == 0 ? "ALARM" : "OK", "flapping",
                        Story.REGION, T0.plusSeconds(i)))
                .toList();

        for (ReleaseNews alarm : alarms) {
            thread = thread.apply(alarm);
        }

        assertThat(thread.recentNewsIds()).hasSize(ReleaseThread.MAX_RECENT_NEWS)
                .startsWith(alarms.get(50).newsId())
                .endsWith(alarms.getLast().newsId());
    }

    @Test
    void refusesNewsOfAnotherThread() {
        ReleaseNews other = new ReleaseNews.RolloutChanged("rollout/other", T0, "checkout-web", "staging", Story.DIGEST,
                RolloutStatus.COMPLETED, null);

        assertThatThrownBy(() -> release().apply(other)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("release checkout-web");
    }

    @Test
    void addsRebuildsUpAcrossReportsWithoutGoingBackFromAnEnd() {
        ThreadKey key = ThreadKey.rebuild("golden/java21", Story.digest("golden"));
        ReleaseThread thread = ReleaseThread.open(key, MENTION);

        thread = thread.apply(rebuild("r1", 1, new Dependent("runtime-java", 1, "STARTED", "runtime-java-image:7", "runtime-java: started"),
                new Dependent("tools", 1, "PENDING", null, "tools: queued")));
        thread = thread.apply(rebuild("r2", 1, new Dependent("runtime-java", 1, "SUCCEEDED", "runtime-java-image:7", "runtime-java: succeeded"),
                new Dependent("tools", 1, "STARTED", "tools-image:3", "tools: started")));
        thread = thread.apply(rebuild("r-late", 1, new Dependent("runtime-java", 1, "STARTED", "runtime-java-image:7", "runtime-java: started")));

        assertThat(thread.rebuilds().dependents()).extracting(ReleaseThread.DependentStatus::status).containsExactly("SUCCEEDED", "STARTED");
        assertThat(thread.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(thread.headline().text()).isEqualTo("Rebuilds on golden/java21 · " + key.shortId() + ": Rebuilding: wave 1 of 2");
        assertThat(sections(thread.headline())).contains("3 images · wave 1 of 2 · 1 started · 0 pending · 1 succeeded · 0 failed");

        ReleaseThread failed = thread.apply(rebuild("r3", 2, new Dependent("tools", 1, "FAILED", "tools-image:3", "tools: the build failed")));

        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(sections(failed.headline())).contains(":x: *1 of 3 rebuilds failed*\n" + MENTION);
        assertThat(failed.pendingReplies().getLast().markdown()).contains("• tools: the build failed").endsWith(MENTION);
    }

    @Test
    void endsOnceTheImagesBelowARebuildThatContinuedNoCascadeAreToldWhicheverNewsComesFirst() {
        ThreadKey key = ThreadKey.rebuild("golden/java21", Story.digest("golden"));
        RebuildChanged planned = rebuild("r1", 1, new Dependent("runtime-java", 1, "STARTED", "runtime-java-image:7", "runtime-java: started"));
        RebuildChanged cascadeEnded = rebuild("r2", 1, new Dependent("runtime-java", 1, "STARTED", "runtime-java-image:7",
                "runtime-java: its image continues no cascade", 2, "their base image is rebuilt on a newer digest of its base"));
        RebuildChanged finished = rebuild("r3", 1, new Dependent("runtime-java", 1, "SUCCEEDED", "runtime-java-image:7", "runtime-java: succeeded"));

        ReleaseThread inOrder = ReleaseThread.open(key, MENTION).apply(planned).apply(cascadeEnded).apply(finished);
        ReleaseThread reversedTwice = ReleaseThread.open(key, MENTION).apply(finished).apply(cascadeEnded).apply(planned)
                .apply(finished).apply(cascadeEnded);

        assertThat(inOrder.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(inOrder.headline().text()).endsWith(": Rebuilt 1 of 3 images; 2 not rebuilt: their base image is rebuilt on a newer"
                + " digest of its base");
        assertThat(sections(inOrder.headline())).contains("3 images · wave 1 of 2 · 0 started · 0 pending · 1 succeeded · 0 failed · 2 not rebuilt");
        assertThat(reversedTwice.headline()).isEqualTo(inOrder.headline());
        assertThat(reversedTwice.rebuilds()).isEqualTo(inOrder.rebuilds());
    }

    @Test
    void keepsWaitingForImagesBelowASupersededRebuildThatOlderNewsDoesNotCount() {
        ThreadKey key = ThreadKey.rebuild("golden/java21", Story.digest("golden"));

        ReleaseThread thread = ReleaseThread.open(key, MENTION).apply(rebuild("r1", 1,
                new Dependent("runtime-java", 1, "SUPERSEDED", null, "runtime-java: superseded"),
                new Dependent("tools", 1, "SUPERSEDED", null, "tools: superseded")));

        assertThat(thread.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(thread.headline().text()).endsWith(": Rebuilding: wave 1 of 2");
    }

    @Test
    void neverCountsAnImageBothReportedAndNotRebuilt() {
        ThreadKey key = ThreadKey.rebuild("golden/java21", Story.digest("golden"));

        ReleaseThread thread = ReleaseThread.open(key, MENTION)
                .apply(rebuild("r1", 1, new Dependent("runtime-java", 1, "SUCCEEDED", "runtime-java-image:7", "runtime-java: succeeded",
                        2, "their base image's tag names a newer image")))
                .apply(rebuild("r2", 2, new Dependent("payments-api", 2, "SUCCEEDED", "payments-api-image:3", "payments-api: succeeded")));

        assertThat(thread.rebuilds().notRebuilt()).containsExactly(Map.entry("their base image's tag names a newer image", 1));
        assertThat(thread.headline().text()).endsWith(": Rebuilt 2 of 3 images; 1 not rebuilt: their base image's tag names a newer image");
    }

    @Test
    void tellsAPipelineRunWithoutADigestInItsOwnThread() {
        ReleaseNews started = ReleaseNews.PipelineChanged.of("payments-release", "0a1b2c3d-4e5f", null, "STARTED", SERVICE, null, Story.REGION, T0);
        ReleaseNews buildFailed = ReleaseNews.PipelineChanged.of("payments-release", "0a1b2c3d-4e5f", "Build", "FAILED", SERVICE, null,
                Story.REGION, T0.plusSeconds(90));
        ReleaseThread thread = ReleaseThread.open(started.thread(), MENTION);

        thread = thread.apply(started).apply(buildFailed);

        assertThat(started.thread()).isEqualTo(ThreadKey.pipeline("payments-release", "0a1b2c3d-4e5f"));
        assertThat(thread.headline().text()).isEqualTo("payments-release · execution 0a1b2c3d: Stage Build failed");
        assertThat(sections(thread.headline())).contains(":arrows_counterclockwise: pipeline payments-release: started\n:x: stage Build: failed");
        assertThat(thread.links()).singleElement().isEqualTo(new ReleaseThread.Link("pipeline payments-release",
                "https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/payments-release/executions/0a1b2c3d-4e5f/timeline"
                        + "?region=eu-west-1"));
        assertThat(thread.pendingReplies()).singleElement().satisfies(reply -> assertThat(reply.markdown())
                .startsWith(":x: stage Build failed <https://eu-west-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/")
                .endsWith("\n" + MENTION));
    }

    @Test
    void putsPipelineNewsThatNamesTheDigestInTheReleaseThread() {
        ReleaseNews deploying = ReleaseNews.PipelineChanged.of("payments-release", "0a1b2c3d", "Deploy-staging", "STARTED", SERVICE, Story.DIGEST,
                Story.REGION, T0);

        assertThat(deploying.thread()).isEqualTo(RELEASE);
        assertThat(release().apply(deploying).steps()).extracting(ReleaseThread.Step::name).containsExactly("stage Deploy-staging");
    }

    @Test
    void linksTheLogsOfAFailedBuild() {
        ReleaseNews failed = ReleaseNews.BuildChanged.of(RELEASE, "payments-api-image", "payments-api-image:0d9e", "FAILED", null,
                Story.REGION, Story.ACCOUNT, T0);

        ReleaseThread thread = release().apply(failed);

        assertThat(thread.headline().text()).endsWith(": Build payments-api-image failed");
        assertThat(thread.links()).singleElement().satisfies(link -> assertThat(link.url())
                .isEqualTo("https://eu-west-1.console.aws.amazon.com/codesuite/codebuild/111111111111/projects/payments-api-image/build/"
                        + "payments-api-image%3A0d9e/?region=eu-west-1"));
        assertThat(thread.pendingReplies().getFirst().markdown()).contains("build payments-api-image:0d9e failed <https://").endsWith(MENTION);
    }

    @Test
    void repliesWhenAnAlarmFiresAndWhenItIsQuietAgain() {
        ReleaseThread thread = release();

        thread = thread.apply(ReleaseNews.AlarmChanged.of(RELEASE, "payments-api 5xx", "INSUFFICIENT_DATA", "no data", Story.REGION, T0));
        thread = thread.apply(ReleaseNews.AlarmChanged.of(RELEASE, "payments-api 5xx", "ALARM", "Threshold Crossed: 12 > 5", Story.REGION,
                T0.plusSeconds(60)));
        thread = thread.apply(ReleaseNews.AlarmChanged.of(RELEASE, "payments-api 5xx", "OK", "Threshold no longer crossed", Story.REGION,
                T0.plusSeconds(120)));

        assertThat(thread.pendingReplies()).extracting(ReleaseThread.Reply::markdown).containsExactly(
                ":rotating_light: alarm `payments-api 5xx` is in ALARM: Threshold Crossed: 12 > 5",
                ":white_check_mark: alarm `payments-api 5xx` is OK again");
        assertThat(thread.links()).extracting(ReleaseThread.Link::url)
                .containsExactly("https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/payments-api%205xx");
    }

    @Test
    void forgetsARepliedDetailOnceItWasPosted() {
        ReleaseThread thread = release().apply(Story.deployed("staging", T0));
        String id = thread.pendingReplies().getFirst().id();

        ReleaseThread posted = thread.replyPosted(id);

        assertThat(posted.pendingReplies()).isEmpty();
        assertThat(posted.revision()).isEqualTo(thread.revision());
        assertThat(posted.replyPosted(id)).isSameAs(posted);
    }

    @Test
    void capsALongEvidenceListInItsReply() {
        List<String> evidence = IntStream.range(0, 40).mapToObj(i -> "  alarm-" + i + ": OK").toList();
        ReleaseNews gate = new ReleaseNews.GateChanged("gate/many", T0, SERVICE, "prod", Story.DIGEST, "1.4.0", "production",
                GateStatus.PASSED, "every check passed", evidence, 0, 0);

        String reply = release().apply(gate).pendingReplies().getFirst().markdown();

        assertThat(reply).contains("◦ alarm-24: OK").doesNotContain("alarm-25:").contains("• … and 15 more");
    }

    @Test
    void opensNoOperationsThreadForGantrysAlarmUntilItFires() {
        ReleaseThread operations = ReleaseThread.open(OPERATIONS, MENTION);

        ReleaseThread created = operations.apply(gantryAlarm("INSUFFICIENT_DATA", T0))
                .apply(gantryAlarm("OK", T0.plusSeconds(60)));

        assertThat(created).isSameAs(operations);
    }

    @Test
    void showsGantrysFiringAlarmWithItsReasonAndLinkAndSaysWhatToDoInTheThread() {
        ReleaseThread firing = ReleaseThread.open(OPERATIONS, MENTION).apply(gantryAlarm("ALARM", T0));

        ChatMessage headline = firing.headline();
        assertThat(firing.status()).isEqualTo(Status.ALARM);
        assertThat(headline.text()).isEqualTo("Gantry-failed-invocations-depth: In ALARM");
        assertThat(headline.blocks().getFirst()).isEqualTo(new ChatMessage.Header("Gantry-failed-invocations-depth"));
        assertThat(sections(headline)).containsExactly(
                ":rotating_light: *In ALARM* since 2026-11-23 10:00 UTC\n" + MENTION,
                "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0).");
        assertThat(headline.blocks().getLast()).isEqualTo(new ChatMessage.Context(List.of(
                "<https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/Gantry-failed-invocations-depth"
                        + "|alarm in CloudWatch>")));
        assertThat(firing.pendingReplies()).singleElement().satisfies(reply -> assertThat(reply.markdown())
                .isEqualTo(":clipboard: *What to do:* Read the parked invocation, fix the cause, replay it."));
    }

    @Test
    void updatesGantrysAlarmInPlaceAsItRecoversAndMentionsTheFailureGroupWhenItFiresAgain() {
        ReleaseThread firing = ReleaseThread.open(OPERATIONS, MENTION).apply(gantryAlarm("ALARM", T0));

        ReleaseThread recovered = firing.apply(gantryAlarm("OK", T0.plusSeconds(300)));
        ReleaseThread firingAgain = recovered.apply(gantryAlarm("ALARM", T0.plusSeconds(3_600)));

        assertThat(recovered.status()).isEqualTo(Status.SUCCEEDED);
        assertThat(recovered.headline().text()).isEqualTo("Gantry-failed-invocations-depth: OK");
        assertThat(sections(recovered.headline()).getFirst()).isEqualTo(":white_check_mark: *OK* since 2026-11-23 10:05 UTC");
        assertThat(recovered.revision()).isEqualTo(firing.revision() + 1);
        assertThat(firingAgain.status()).isEqualTo(Status.ALARM);
        assertThat(firingAgain.revision()).isEqualTo(recovered.revision() + 1);
        assertThat(firingAgain.pendingReplies()).extracting(ReleaseThread.Reply::markdown).containsExactly(
                ":clipboard: *What to do:* Read the parked invocation, fix the cause, replay it.",
                ":white_check_mark: OK again",
                ":rotating_light: in ALARM again: Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0)."
                        + "\n" + MENTION);
    }

    @Test
    void changesNothingForGantrysAlarmToldAgainOrLate() {
        ReleaseNews fired = gantryAlarm("ALARM", T0.plusSeconds(60));
        ReleaseThread firing = ReleaseThread.open(OPERATIONS, MENTION).apply(fired);

        assertThat(firing.apply(fired)).isSameAs(firing);
        assertThat(firing.apply(gantryAlarm("OK", T0))).as("the OK it reported when it was created").isSameAs(firing);
    }

    private static ReleaseNews gantryAlarm(String state, Instant at) {
        String reason = state.equals("ALARM")
                ? "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the threshold (0.0)."
                : "Threshold Crossed: 1 out of the last 1 datapoints [0.0] was not greater than the threshold (0.0).";
        return ReleaseNews.AlarmChanged.of(OPERATIONS, "Gantry-failed-invocations-depth", state, reason, Story.REGION,
                "Read the parked invocation, fix the cause, replay it.", at);
    }

    private static RebuildChanged rebuild(String id, int wave, Dependent... dependents) {
        return new RebuildChanged(id, T0, "golden/java21", Story.digest("golden"), wave, 2, 3,
                "golden/java21 sha256:" + Story.digest("golden").shortForm() + " -> rebuilding 3 images, wave " + wave + " of 2",
                List.of(dependents));
    }

    private static List<String> sections(ChatMessage message) {
        return message.blocks().stream().filter(ChatMessage.Section.class::isInstance).map(b -> ((ChatMessage.Section) b).markdown()).toList();
    }
}
