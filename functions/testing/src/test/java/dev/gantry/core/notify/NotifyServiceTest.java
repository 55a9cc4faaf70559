package dev.gantry.core.notify;

import static dev.gantry.core.notify.Story.SERVICE;
import static dev.gantry.core.notify.Story.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.SlackConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.notify.NotifyService.Delivery;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.RebuildOutcome;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.testing.InMemoryReleaseThreads;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingChatGateway;
import dev.gantry.testing.RecordingChatGateway.Call;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class NotifyServiceTest {

    private static final SlackConfig SLACK = new SlackConfig("#releases", "@platform-oncall", Map.of(SERVICE, "#payments-releases"));
    private static final String PAYMENTS_CHANNEL = RecordingChatGateway.channelId("#payments-releases");

    private final MutableClock clock = new MutableClock(T0);
    private final InMemoryReleaseThreads threads = new InMemoryReleaseThreads();
    private final RecordingChatGateway chat = new RecordingChatGateway();
    private final AtomicInteger invocations = new AtomicInteger();
    private final NotifyService notify = notifier(threads, chat, SLACK);

    private NotifyService notifier(ReleaseThreads store, ChatGateway gateway, SlackConfig slack) {
        return new NotifyService(store, gateway, slack, clock, NotifyService.DEFAULT_LEASE, () -> "invocation-" + invocations.incrementAndGet());
    }

    /** The whole release, in the order the functions would hand its news over. */
    private static List<ReleaseNews> wholeRelease() {
        List<ReleaseNews> news = new ArrayList<>();
        news.add(Story.deployed("staging", T0));
        news.add(Story.rollout("staging", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(30)));
        news.add(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));
        GateRecord gate = Story.waitingForApprovals(Story.atGate(T0.plusSeconds(300)), 0, T0.plusSeconds(300));
        news.addAll(ReleaseNews.ofGate(gate));
        gate = Story.approvedBy(gate, "U034BOB", T0.plusSeconds(900));
        gate = Story.waitingForApprovals(gate, 1, T0.plusSeconds(901));
        news.addAll(ReleaseNews.ofGate(gate));
        gate = Story.approvedBy(gate, "U056CAROL", T0.plusSeconds(1200));
        gate = Story.passed(gate, T0.plusSeconds(1201));
        news.addAll(ReleaseNews.ofGate(gate));
        news.add(Story.deployed("prod", T0.plusSeconds(1260)));
        news.add(Story.rollout("prod", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(1290)));
        news.add(Story.rollout("prod", RolloutStatus.COMPLETED, null, T0.plusSeconds(1500)));
        return news;
    }

    @Test
    void tellsAWholeReleaseInOneMessageUpdatedInPlaceWithDetailsInItsThread() {
        List<Delivery> deliveries = wholeRelease().stream().map(notify::apply).toList();

        assertThat(chat.headlinePosts()).hasSize(1);
        Call headline = chat.headlinePosts().getFirst();
        assertThat(headline.channel()).isEqualTo(PAYMENTS_CHANNEL);
        assertThat(chat.calls().getFirst()).isEqualTo(headline);
        assertThat(chat.calls()).allSatisfy(call -> assertThat(call.kind() == Call.Kind.UPDATE ? call.ts() : call.threadTs() == null
                ? call.ts() : call.threadTs()).isEqualTo(headline.ts()));
        assertThat(chat.updates()).isNotEmpty().allSatisfy(update -> assertThat(update.ts()).isEqualTo(headline.ts()));
        assertThat(deliveries.getFirst().result()).isEqualTo(Delivery.Result.POSTED);

        ChatMessage shown = chat.shown(headline.ts());
        assertThat(shown.text()).isEqualTo("payments-api 1.4.0 · " + Story.DIGEST.shortForm() + ": Deployed to prod");
        assertThat(markdown(shown)).contains("*staging* :white_check_mark: deployed  →  *prod* :white_check_mark: deployed")
                .contains("1.3.0 `" + Story.PREVIOUS.shortForm() + "` → *1.4.0* `" + Story.DIGEST.shortForm() + "`")
                .contains("/ecs/v2/clusters/prod/services/payments-api/health?region=eu-west-1|ECS service (prod)>")
                .contains("/ecs/v2/task-definitions/payments-api-prod/7/containers?region=eu-west-1|task definition (prod)>")
                .doesNotContain("@platform-oncall");

        List<String> replies = chat.replies(headline.ts()).stream().map(c -> markdown(c.message())).toList();
        assertThat(replies).anySatisfy(r -> assertThat(r).startsWith(":rocket: *staging*: deploying `1.4.0`").contains(Story.CHANGE)
                .contains("set going by <@U012ALICE>"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains("*prod* gate `production`: waiting: waiting for approvals")
                .contains("• approvals WAIT: 0 of 2 approvals").contains("◦ payments-api-5xx: OK"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains(":+1: approved by <@U034BOB>: checked the canary"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains(":+1: approved by <@U056CAROL>"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains("*prod* gate `production`: passed"));
        assertThat(replies).anySatisfy(r -> assertThat(r).contains("*prod*: rollout completed"));
        assertThat(replies).doesNotHaveDuplicates();
        assertThat(threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow().delivered()).isTrue();
    }

    @Test
    void showsTheWaitForApprovalsInTheHeadline() {
        List<ReleaseNews> story = wholeRelease();
        story.subList(0, 6).forEach(notify::apply); // up to Bob's approval and the gate's answer after it

        ChatMessage shown = chat.shown(chat.headlinePosts().getFirst().ts());

        assertThat(shown.text()).endsWith(": Waiting at the prod gate");
        assertThat(markdown(shown)).contains("*prod* :hourglass_flowing_sand: waiting at the gate (1 of 2 approvals)");
    }

    @Test
    void makesNoCallForNewsToldBefore() {
        List<ReleaseNews> story = wholeRelease();
        story.forEach(notify::apply);
        int calls = chat.attempts();
        int saves = threads.saves();

        List<Delivery> again = story.stream().map(notify::apply).toList();

        assertThat(again).extracting(Delivery::result).containsOnly(Delivery.Result.UNCHANGED);
        assertThat(chat.attempts()).isEqualTo(calls);
        assertThat(threads.saves()).isEqualTo(saves);
    }

    @Test
    void makesNoCallForLateNewsThatChangesNothing() {
        notify.apply(Story.deployed("staging", T0));
        notify.apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));
        int calls = chat.attempts();

        Delivery late = notify.apply(Story.rollout("staging", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(30)));

        assertThat(late.result()).isEqualTo(Delivery.Result.UNCHANGED);
        assertThat(chat.attempts()).isEqualTo(calls);
    }

    @Test
    void showsARollbackWithItsReasonAndMentionsTheFailureGroup() {
        String reason = "ECS deployment circuit breaker: 3 tasks failed to start (CannotPullContainerError)";
        notify.apply(Story.deployed("staging", T0));

        notify.apply(Story.rollout("staging", RolloutStatus.ROLLED_BACK, reason, T0.plusSeconds(300)));

        String ts = chat.headlinePosts().getFirst().ts();
        ChatMessage shown = chat.shown(ts);
        assertThat(shown.text()).endsWith(": Rolled back in staging");
        assertThat(markdown(shown)).contains(":rewind: *Rolled back in staging*\n@platform-oncall")
                .contains("*Rolled back in staging:* " + reason);
        // Slack notifies nobody of a mention that an edit adds, so the reply carries it too.
        assertThat(chat.replies(ts).getLast().message().text()).isEqualTo("staging: rolled back: " + reason);
        assertThat(markdown(chat.replies(ts).getLast().message())).contains(reason).endsWith("\n@platform-oncall");
    }

    @Test
    void postsEachServiceInItsChannelAndTheRestInTheDefaultOne() {
        ReleaseNews checkout = new ReleaseNews.RolloutChanged("rollout/checkout-web", T0, "checkout-web", "staging",
                Story.digest("checkout-web-42"), RolloutStatus.IN_PROGRESS, null);
        RunKey run = new RunKey("golden/java21", Story.digest("golden"), "new-base");
        RebuildReport rebuild = new RebuildReport(RebuildReport.Result.REBUILDING, "push", run, run, 1, 1, 1,
                List.of(new RebuildOutcome("runtime-java", new BuildTarget(BuildTarget.Kind.CODEBUILD, "runtime-java-image"), 1,
                        RebuildOutcome.Action.STARTED, RebuildStatus.STARTED, "runtime-java-image:1", "started")), null);

        notify.apply(Story.deployed("staging", T0));
        notify.apply(checkout);
        notify.apply(ReleaseNews.RebuildChanged.of(rebuild, T0).orElseThrow());
        notify.apply(ReleaseNews.PipelineChanged.of("payments-release", "exec-1", null, "STARTED", SERVICE, null, Story.REGION, T0));
        notify.apply(ReleaseNews.PipelineChanged.of("infra-release", "exec-2", null, "STARTED", null, null, Story.REGION, T0));

        assertThat(chat.headlinePosts()).extracting(Call::channel)
                .containsExactly(PAYMENTS_CHANNEL, "CRELEASES", "CRELEASES", PAYMENTS_CHANNEL, "CRELEASES");
        assertThat(chat.headlinePosts().get(2).message().text()).startsWith("Rebuilds on golden/java21");
    }

    @Test
    void tellsGantrysOwnAlarmInOneMessageOfTheDefaultChannelUpdatedAsItRecovers() {
        ThreadKey operations = ThreadKey.operations("Gantry-chatops-notify-errors", Story.REGION);
        ReleaseNews fired = ReleaseNews.AlarmChanged.of(operations, "Gantry-chatops-notify-errors", "ALARM",
                "Threshold Crossed: 1 datapoint [2.0] was greater than or equal to the threshold (1.0).", Story.REGION,
                "Read the function's ERROR lines.", T0);
        ReleaseNews recovered = ReleaseNews.AlarmChanged.of(operations, "Gantry-chatops-notify-errors", "OK",
                "Threshold Crossed: 1 datapoint [0.0] was not greater than or equal to the threshold (1.0).", Story.REGION,
                "Read the function's ERROR lines.", T0.plusSeconds(600));

        Delivery posted = notify.apply(fired);
        Delivery updated = notify.apply(recovered);
        int calls = chat.attempts();
        Delivery again = notify.apply(recovered);

        assertThat(posted.result()).isEqualTo(Delivery.Result.POSTED);
        Call headline = chat.headlinePosts().getFirst();
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(headline.channel()).isEqualTo(RecordingChatGateway.channelId("#releases"));
        assertThat(headline.message().text()).isEqualTo("Gantry-chatops-notify-errors: In ALARM");
        assertThat(markdown(headline.message())).contains("*In ALARM*").contains("@platform-oncall")
                .contains("#alarmsV2:alarm/Gantry-chatops-notify-errors|alarm in CloudWatch>");
        assertThat(updated.result()).isEqualTo(Delivery.Result.UPDATED);
        assertThat(chat.updates()).singleElement().satisfies(update -> assertThat(update.ts()).isEqualTo(headline.ts()));
        assertThat(chat.shown(headline.ts()).text()).isEqualTo("Gantry-chatops-notify-errors: OK");
        assertThat(markdown(chat.shown(headline.ts()))).doesNotContain("@platform-oncall");
        assertThat(again.result()).isEqualTo(Delivery.Result.UNCHANGED);
        assertThat(chat.attempts()).isEqualTo(calls);
    }

    @Test
    void postsNothingForGantrysAlarmReportingOkWhenItIsCreated() {
        ThreadKey operations = ThreadKey.operations("Gantry-chatops-notify-errors", Story.REGION);

        Delivery created = notify.apply(ReleaseNews.AlarmChanged.of(operations, "Gantry-chatops-notify-errors", "OK",
                "Unchecked: Initial alarm creation", Story.REGION, null, T0));

        assertThat(created.result()).isEqualTo(Delivery.Result.UNCHANGED);
        assertThat(chat.attempts()).isZero();
        assertThat(threads.find(operations)).isEmpty();
    }

    @Test
    void finishesARateLimitedFirstPostWhenTheNewsComesAgain() {
        ReleaseNews deployed = Story.deployed("staging", T0);
        chat.failNext(new ChatGateway.RateLimitedException("ratelimited", 30));

        assertThatThrownBy(() -> notify.apply(deployed)).isInstanceOf(ChatGateway.RateLimitedException.class);
        assertThat(chat.calls()).isEmpty();
        Delivery again = notify.apply(deployed);

        assertThat(again.result()).isEqualTo(Delivery.Result.POSTED);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(chat.replies(chat.headlinePosts().getFirst().ts())).hasSize(1);
        assertThat(chat.lookups()).as("a rate-limited post was not made: nothing to look for").isEmpty();
    }

    @Test
    void savesThePostingMarkerBeforeItPostsTheHeadlineAndCarriesItInTheMessage() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        List<PostingMarker> storedAtPost = new ArrayList<>();
        ChatGateway checking = new ChatGateway() {
            @Override
            public Posted post(String channel, ChatMessage message, String threadTs) {
                return chat.post(channel, message, threadTs);
            }

            @Override
            public Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker) {
                storedAtPost.add(threads.find(thread).map(StoredThread::posting).orElse(null));
                return chat.postHeadline(channel, message, thread, marker);
            }

            @Override
            public Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker) {
                return chat.findHeadline(channel, thread, marker);
            }

            @Override
            public void update(String channelId, String ts, ChatMessage message) {
                chat.update(channelId, ts, message);
            }

            @Override
            public void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
                chat.respond(responseUrl, message, replaceOriginal, ephemeral);
            }
        };

        notifier(threads, checking, SLACK).apply(Story.deployed("staging", T0));

        Call headline = chat.headlinePosts().getFirst();
        assertThat(headline.thread()).isEqualTo(key);
        assertThat(headline.marker()).isEqualTo(new PostingMarker("invocation-1", T0));
        assertThat(storedAtPost).containsExactly(headline.marker());
        assertThat(threads.find(key).orElseThrow().posting()).as("dropped once the headline's ts is saved").isNull();
    }

    @Test
    void findsTheHeadlineWhoseSaveFailedInsteadOfPostingItAgain() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        ReleaseNews deployed = Story.deployed("staging", T0);
        assertThatThrownBy(() -> notifier(tableDownOnceSlackTookTheHeadline(), chat, SLACK).apply(deployed))
                .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class);
        String posted = chat.headlinePosts().getFirst().ts();
        clock.advance(NotifyService.DEFAULT_LEASE.plusSeconds(1)); // the failed delivery could not give its lease up

        Delivery redelivered = notify.apply(deployed);

        assertThat(redelivered.result()).isEqualTo(Delivery.Result.FOUND);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(chat.lookups()).singleElement().satisfies(lookup -> {
            assertThat(lookup.marker()).isEqualTo(new PostingMarker("invocation-1", T0));
            assertThat(lookup.found()).isEqualTo(posted);
        });
        // What the found message shows is not known: it is brought up to the story, and the replies follow.
        assertThat(chat.updates()).singleElement().satisfies(update -> assertThat(update.ts()).isEqualTo(posted));
        assertThat(chat.replies(posted)).hasSize(1);
        StoredThread stored = threads.find(key).orElseThrow();
        assertThat(stored.headlineTs()).isEqualTo(posted);
        assertThat(stored.channel()).isEqualTo(PAYMENTS_CHANNEL);
        assertThat(stored.posting()).isNull();
        assertThat(stored.delivered()).isTrue();
    }

    @Test
    void findsTheHeadlineWhoseAnswerWasLost() {
        ReleaseNews deployed = Story.deployed("staging", T0);
        chat.loseAnswerOfNext(new ChatGateway.UnavailableException("Slack chat.postMessage failed after 3 attempts: timed out", null));
        assertThatThrownBy(() -> notify.apply(deployed)).isInstanceOf(ChatGateway.UnavailableException.class);

        Delivery redelivered = notify.apply(deployed);

        assertThat(redelivered.result()).isEqualTo(Delivery.Result.FOUND);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow().delivered()).isTrue();
    }

    @Test
    void postsTheHeadlineUnderItsOwnMarkerWhenTheLookupFindsNone() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        ReleaseNews deployed = Story.deployed("staging", T0);
        chat.failNext(new ChatGateway.UnavailableException("Slack chat.postMessage failed after 3 attempts: HTTP 503", null));
        assertThatThrownBy(() -> notify.apply(deployed)).isInstanceOf(ChatGateway.UnavailableException.class);
        assertThat(threads.find(key).orElseThrow().posting()).as("a 503 may or may not have posted").isNotNull();
        clock.advance(Duration.ofMinutes(5));

        Delivery redelivered = notify.apply(deployed);

        assertThat(redelivered.result()).isEqualTo(Delivery.Result.POSTED);
        assertThat(chat.lookups()).singleElement().satisfies(lookup -> {
            assertThat(lookup.marker()).isEqualTo(new PostingMarker("invocation-1", T0));
            assertThat(lookup.found()).isNull();
        });
        assertThat(chat.headlinePosts()).singleElement()
                .satisfies(headline -> assertThat(headline.marker()).isEqualTo(new PostingMarker("invocation-2", T0.plus(Duration.ofMinutes(5)))));
        assertThat(threads.find(key).orElseThrow().delivered()).isTrue();
    }

    @Test
    void keepsTheNewsWaitingWithoutPostingWhenTheChatServiceRefusesToBeRead() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        ReleaseNews deployed = Story.deployed("staging", T0);
        assertThatThrownBy(() -> notifier(tableDownOnceSlackTookTheHeadline(), chat, SLACK).apply(deployed))
                .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class);
        clock.advance(NotifyService.DEFAULT_LEASE.plusSeconds(1));
        chat.refuseLookups("not_in_channel");

        assertThatThrownBy(() -> notify.apply(deployed))
                .isInstanceOf(NotifyService.HeadlineUncertainException.class)
                .hasMessageContaining("thread " + key.describe())
                .hasMessageContaining("#payments-releases")
                .hasMessageContaining("not_in_channel")
                .hasMessageContaining("invite the Slack app to #payments-releases");

        assertThat(chat.headlinePosts()).hasSize(1);
        StoredThread waiting = threads.find(key).orElseThrow();
        assertThat(waiting.rejected()).as("the thread is not refused, only not readable yet").isNull();
        assertThat(waiting.posting()).isEqualTo(new PostingMarker("invocation-1", T0));
        assertThat(waiting.leaseOwner()).as("given up for the redelivery").isNull();

        chat.refuseLookups(null);
        Delivery invited = notify.apply(deployed);

        assertThat(invited.result()).isEqualTo(Delivery.Result.FOUND);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(threads.find(key).orElseThrow().delivered()).isTrue();
    }

    @Test
    void keepsTheNewsWaitingWithoutPostingWhenTheLookupFails() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        ReleaseNews deployed = Story.deployed("staging", T0);
        assertThatThrownBy(() -> notifier(tableDownOnceSlackTookTheHeadline(), chat, SLACK).apply(deployed))
                .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class);
        clock.advance(NotifyService.DEFAULT_LEASE.plusSeconds(1));
        chat.failNext(new ChatGateway.RateLimitedException("Slack conversations.history is rate limited", 30),
                new ChatGateway.UnavailableException("Slack conversations.history failed after 3 attempts: HTTP 503", null));

        assertThatThrownBy(() -> notify.apply(deployed)).isInstanceOf(ChatGateway.RateLimitedException.class);
        assertThatThrownBy(() -> notify.apply(deployed)).isInstanceOf(ChatGateway.UnavailableException.class);

        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(threads.find(key).orElseThrow().posting()).as("kept: the post is still to be found")
                .isEqualTo(new PostingMarker("invocation-1", T0));
        assertThat(notify.apply(deployed).result()).isEqualTo(Delivery.Result.FOUND);
        assertThat(chat.headlinePosts()).hasSize(1);
    }

    @Test
    void postsNoReplyTwiceWhenTheChatServiceGivesUpHalfWay() {
        notify.apply(Story.deployed("staging", T0));
        GateRecord gate = Story.waitingForApprovals(Story.atGate(T0.plusSeconds(300)), 0, T0.plusSeconds(300));
        notify.apply(ReleaseNews.GateChanged.of(gate));
        GateRecord bob = Story.approvedBy(gate, "U034BOB", T0.plusSeconds(900));
        GateRecord carol = Story.approvedBy(bob, "U056CAROL", T0.plusSeconds(960));
        ReleaseNews bobApproved = ReleaseNews.GateDecided.of(bob).getFirst();
        ReleaseNews carolApproved = ReleaseNews.GateDecided.of(carol).getLast();
        chat.failNext(new ChatGateway.UnavailableException("503 from the chat service", null));
        assertThatThrownBy(() -> notify.apply(bobApproved)).isInstanceOf(ChatGateway.UnavailableException.class);
        // Bob's reply waits; Carol's news brings it along and is rate limited after it.
        chat.failCall(2, new ChatGateway.RateLimitedException("ratelimited", 1));
        assertThatThrownBy(() -> notify.apply(carolApproved)).isInstanceOf(ChatGateway.RateLimitedException.class);

        Delivery redelivered = notify.apply(carolApproved);

        String ts = chat.headlinePosts().getFirst().ts();
        List<String> replies = chat.replies(ts).stream().map(c -> markdown(c.message())).toList();
        assertThat(redelivered.result()).isEqualTo(Delivery.Result.REPLIED);
        assertThat(replies.stream().filter(r -> r.contains("approved by <@U034BOB>"))).hasSize(1);
        assertThat(replies.stream().filter(r -> r.contains("approved by <@U056CAROL>"))).hasSize(1);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow().delivered()).isTrue();
    }

    @Test
    void appliesItsNewsAgainWhenAnotherNotifierSavedTheThreadFirst() {
        ReleaseNews staging = Story.deployed("staging", T0);
        ReleaseNews prodGate = ReleaseNews.GateChanged.of(Story.waitingForApprovals(Story.atGate(T0.plusSeconds(1)), 0, T0.plusSeconds(1)));
        NotifyService other = notifier(threads, chat, SLACK);
        ReleaseThreads racing = new ReleaseThreads() {
            private boolean raced;

            @Override
            public Optional<StoredThread> find(ThreadKey key) {
                return threads.find(key);
            }

            @Override
            public boolean save(StoredThread thread, long expectedVersion) {
                if (!raced) {
                    raced = true;
                    other.apply(prodGate); // the other notifier reads, folds and delivers in between
                }
                return threads.save(thread, expectedVersion);
            }
        };

        Delivery delivery = notifier(racing, chat, SLACK).apply(staging);

        assertThat(delivery.result()).isEqualTo(Delivery.Result.UPDATED);
        assertThat(chat.headlinePosts()).hasSize(1);
        String ts = chat.headlinePosts().getFirst().ts();
        assertThat(markdown(chat.shown(ts))).contains("*prod* :hourglass_flowing_sand:").contains("*staging* :arrows_counterclockwise: deploying");
        assertThat(chat.replies(ts)).hasSize(2);
        assertThat(threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow().state().recentNewsIds())
                .containsExactlyInAnyOrder(staging.newsId(), prodGate.newsId());
    }

    @Test
    void leavesTheNewsToTheNotifierDeliveringTheThreadWhichDeliversItBeforeLettingGo() {
        ReleaseNews staging = Story.deployed("staging", T0);
        ReleaseNews rolling = Story.rollout("staging", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(30));
        NotifyService other = notifier(threads, chat, SLACK);
        List<Delivery> deferred = new ArrayList<>();
        ChatGateway interrupted = new ChatGateway() {
            @Override
            public Posted post(String channel, ChatMessage message, String threadTs) {
                return chat.post(channel, message, threadTs);
            }

            @Override
            public Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker) {
                Posted posted = chat.postHeadline(channel, message, thread, marker);
                if (deferred.isEmpty()) {
                    deferred.add(other.apply(rolling)); // arrives while the first notifier holds the thread
                }
                return posted;
            }

            @Override
            public Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker) {
                return chat.findHeadline(channel, thread, marker);
            }

            @Override
            public void update(String channelId, String ts, ChatMessage message) {
                chat.update(channelId, ts, message);
            }

            @Override
            public void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
                chat.respond(responseUrl, message, replaceOriginal, ephemeral);
            }
        };

        Delivery first = notifier(threads, interrupted, SLACK).apply(staging);

        assertThat(deferred).extracting(Delivery::result).containsExactly(Delivery.Result.DEFERRED);
        assertThat(first.result()).isEqualTo(Delivery.Result.POSTED);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(markdown(chat.shown(chat.headlinePosts().getFirst().ts()))).contains("*staging* :arrows_counterclockwise: rolling out");
        StoredThread stored = threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow();
        assertThat(stored.delivered()).isTrue();
        assertThat(stored.leaseOwner()).isNull();
    }

    @Test
    void takesOverAThreadWhoseDelivererDiedOnceItsLeaseRanOut() {
        ReleaseNews staging = Story.deployed("staging", T0);
        chat.failNext(new IllegalStateException("the invocation died"));
        ReleaseThreads noLettingGo = new ReleaseThreads() {
            @Override
            public Optional<StoredThread> find(ThreadKey key) {
                return threads.find(key);
            }

            @Override
            public boolean save(StoredThread thread, long expectedVersion) {
                // A dead invocation gives nothing up: only its claim is saved.
                return thread.leaseOwner() != null && threads.save(thread, expectedVersion);
            }
        };
        assertThatThrownBy(() -> notifier(noLettingGo, chat, SLACK).apply(staging)).isInstanceOf(IllegalStateException.class);
        ReleaseNews rolling = Story.rollout("staging", RolloutStatus.IN_PROGRESS, null, T0.plusSeconds(30));

        Delivery whileHeld = notify.apply(rolling);
        clock.advance(NotifyService.DEFAULT_LEASE.plus(Duration.ofSeconds(1)));
        Delivery afterLease = notify.apply(staging);

        assertThat(whileHeld.result()).isEqualTo(Delivery.Result.DEFERRED);
        assertThat(afterLease.result()).isEqualTo(Delivery.Result.POSTED);
        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(markdown(chat.shown(chat.headlinePosts().getFirst().ts()))).contains("rolling out");
    }

    @Test
    void stopsTellingAThreadTheChatServiceRejectedAndStartsAgainInANewlyConfiguredChannel() {
        chat.rejectChannel("#payments-releases", "channel_not_found");

        Delivery rejected = notify.apply(Story.deployed("staging", T0));
        int attempts = chat.attempts();
        Delivery later = notify.apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));

        assertThat(rejected.result()).isEqualTo(Delivery.Result.REJECTED);
        assertThat(rejected.detail()).isEqualTo("channel_not_found");
        assertThat(later.result()).isEqualTo(Delivery.Result.REJECTED);
        assertThat(chat.attempts()).isEqualTo(attempts);
        assertThat(chat.calls()).isEmpty();

        SlackConfig fixed = new SlackConfig("#releases", "@platform-oncall", Map.of(SERVICE, "#payments"));
        Delivery moved = notifier(threads, chat, fixed).apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));

        assertThat(moved.result()).isEqualTo(Delivery.Result.POSTED);
        assertThat(chat.headlinePosts()).extracting(Call::channel).containsExactly("CPAYMENTS");
        assertThat(markdown(chat.shown(chat.headlinePosts().getFirst().ts()))).contains("*staging* :white_check_mark: deployed");
        assertThat(moved.repliesPosted()).isEqualTo(2);
    }

    @Test
    void dropsAReplySlackCannotShowAndTellsTheRest() {
        notify.apply(Story.deployed("staging", T0));
        chat.failCall(2, new ChatGateway.MessageRefusedException("msg_too_long", "Slack chat.postMessage refused the message: msg_too_long"));

        Delivery delivery = notify.apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));

        assertThat(delivery.result()).isEqualTo(Delivery.Result.UPDATED);
        assertThat(delivery.detail()).contains("msg_too_long");
        StoredThread thread = threads.find(ThreadKey.release(SERVICE, Story.DIGEST)).orElseThrow();
        assertThat(thread.delivered()).isTrue();
        assertThat(thread.rejected()).isNull();
    }

    @Test
    void keepsTheNewsWaitingWhenSlackCannotShowTheHeadlineWithoutRejectingTheThread() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        notify.apply(Story.deployed("staging", T0));
        ReleaseNews completed = Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240));
        chat.failNext(new ChatGateway.MessageRefusedException("invalid_blocks", "Slack chat.update refused the message: invalid_blocks"));

        assertThatThrownBy(() -> notify.apply(completed)).isInstanceOf(ChatGateway.MessageRefusedException.class);

        assertThat(threads.find(key).orElseThrow().rejected()).isNull();
        assertThat(notify.apply(completed).result()).isEqualTo(Delivery.Result.UPDATED);
        assertThat(markdown(chat.shown(chat.headlinePosts().getFirst().ts()))).contains("*staging* :white_check_mark: deployed");
    }

    @Test
    void keepsTheNewsWaitingWhileSlackRefusesTheAppAndTellsItOnceItIsFixed() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        notify.apply(Story.deployed("staging", T0));
        ReleaseNews completed = Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240));
        chat.failNext(new ChatGateway.AppRefusedException("token_revoked", "Slack chat.update refused the bot token: token_revoked"));

        assertThatThrownBy(() -> notify.apply(completed)).isInstanceOf(ChatGateway.AppRefusedException.class);

        assertThat(threads.find(key).orElseThrow().rejected()).isNull();
        assertThat(notify.apply(completed).result()).isEqualTo(Delivery.Result.UPDATED);
        assertThat(threads.find(key).orElseThrow().delivered()).isTrue();
    }

    @Test
    void stopsTellingAThreadWhoseChannelSlackRefusesAReplyIn() {
        notify.apply(Story.deployed("staging", T0));
        chat.failCall(2, new ChatGateway.RejectedException("is_archived", "Slack chat.postMessage refused the call: is_archived"));

        Delivery rejected = notify.apply(Story.rollout("staging", RolloutStatus.COMPLETED, null, T0.plusSeconds(240)));
        int attempts = chat.attempts();
        Delivery later = notify.apply(Story.deployed("prod", T0.plusSeconds(600)));

        assertThat(rejected.result()).isEqualTo(Delivery.Result.REJECTED);
        assertThat(rejected.detail()).isEqualTo("is_archived");
        assertThat(later.result()).isEqualTo(Delivery.Result.REJECTED);
        assertThat(chat.attempts()).isEqualTo(attempts);
    }

    @Test
    void keepsTheNewsWaitingWithoutPostingWhenTheAppMayNotReadTheChannel() {
        ThreadKey key = ThreadKey.release(SERVICE, Story.DIGEST);
        ReleaseNews deployed = Story.deployed("staging", T0);
        assertThatThrownBy(() -> notifier(tableDownOnceSlackTookTheHeadline(), chat, SLACK).apply(deployed))
                .isInstanceOf(ReleaseThreads.ReleaseThreadsException.class);
        clock.advance(NotifyService.DEFAULT_LEASE.plusSeconds(1));
        chat.failNext(new ChatGateway.AppRefusedException("missing_scope",
                "Slack conversations.history refused the app: missing_scope (needs scope groups:history)"));

        assertThatThrownBy(() -> notify.apply(deployed))
                .isInstanceOf(NotifyService.HeadlineUncertainException.class)
                .hasMessageContaining("missing_scope")
                .hasMessageContaining("needs scope groups:history");

        assertThat(chat.headlinePosts()).hasSize(1);
        assertThat(threads.find(key).orElseThrow().rejected()).isNull();
        assertThat(notify.apply(deployed).result()).isEqualTo(Delivery.Result.FOUND);
    }

    @Test
    void refusesASlackConfigurationWithoutADefaultChannel() {
        assertThatThrownBy(() -> new NotifyService(threads, chat, new SlackConfig(null, null, Map.of()), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The table, failing from the first save after the chat service took a headline: an outage right after the post. */
    private ReleaseThreads tableDownOnceSlackTookTheHeadline() {
        return new ReleaseThreads() {
            @Override
            public Optional<StoredThread> find(ThreadKey key) {
                if (!chat.headlinePosts().isEmpty()) {
                    throw new ReleaseThreadsException("reading thread " + key.describe() + " failed: Service Unavailable", null);
                }
                return threads.find(key);
            }

            @Override
            public boolean save(StoredThread thread, long expectedVersion) {
                if (!chat.headlinePosts().isEmpty()) {
                    throw new ReleaseThreadsException("saving thread " + thread.key().describe() + " failed: Service Unavailable", null);
                }
                return threads.save(thread, expectedVersion);
            }
        };
    }

    private static String markdown(ChatMessage message) {
        return String.join("\n", message.blocks().stream().flatMap(block -> switch (block) {
            case ChatMessage.Header header -> Stream.of(header.text());
            case ChatMessage.Section section -> Stream.of(section.markdown());
            case ChatMessage.Fields fields -> fields.markdown().stream();
            case ChatMessage.Context context -> context.markdown().stream();
            case ChatMessage.Actions actions -> Stream.<String>empty();
            case ChatMessage.Divider divider -> Stream.<String>empty();
        }).toList());
    }
}
