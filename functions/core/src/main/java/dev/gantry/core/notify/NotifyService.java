package dev.gantry.core.notify;

import dev.gantry.core.config.SlackConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells news in its Slack thread: one top-level message per thread, posted once and then updated in place, and the
 * details as replies in its thread.
 *
 * <p>{@link #apply} folds the news into the stored thread and saves that first, with what is not in Slack yet marked
 * as such (a headline revision not shown, replies pending). Then the invocation that holds the thread's delivery lease
 * posts or updates the headline and posts the pending replies, saving after each call what it achieved. So:
 *
 * <ul>
 *   <li>News told twice changes nothing and makes no call.</li>
 *   <li>A rate limit or an unavailable chat service ({@link ChatGateway.RateLimitedException},
 *       {@link ChatGateway.UnavailableException}) propagates: the caller's queue delivers the news again, and the
 *       thread picks up where it stopped. Nothing is lost, because the news was saved before the call, and nothing
 *       already in Slack is posted again, because each success was saved after its call.</li>
 *   <li>A crash between a successful call and its save is the one gap: the next delivery repeats that one call (one
 *       reply posted twice, an update made again). Never more than one per crash, and never the headline: the claim
 *       that sets out to post it saves a {@link PostingMarker} first, and the message carries the marker. A delivery
 *       that finds a marker of another delivery without the headline's timestamp looks the message up
 *       ({@link ChatGateway#findHeadline}) and takes it as the thread's ({@link Delivery.Result#FOUND}); only when the
 *       chat service has no such message does it post, under a marker of its own. When the chat service cannot be
 *       asked, the delivery fails rather than risk a second headline: {@link HeadlineUncertainException} when it
 *       refuses to be asked (e.g. the bot may not read the channel), its rate limit or unavailability otherwise.</li>
 *   <li>Two notifiers on one thread: the saves are conditional on the version read, and the loser reads the winner's
 *       thread and applies its news again. Only the lease holder calls Slack; the other saves its news and answers
 *       {@link Delivery.Result#DEFERRED}, and the holder, which reads the thread again before it lets go, delivers
 *       it. Should the holder die, its own news comes back from its queue after the lease has run out, and that
 *       delivery takes everything pending along. The lease must therefore be shorter than the queue's visibility
 *       timeout; the default is {@link #DEFAULT_LEASE}.</li>
 *   <li>A refusal of the thread's channel or message ({@link ChatGateway.RejectedException}, e.g.
 *       {@code channel_not_found}, {@code is_archived}, {@code message_not_found}) is not retried: the thread is marked
 *       rejected, saying why in the log, and later news is only folded into it ({@link Delivery.Result#REJECTED}) until
 *       the service's configured channel changes (before the first headline was posted).</li>
 *   <li>A refusal of Gantry's app ({@link ChatGateway.AppRefusedException}: its token, its scopes) is no refusal of the
 *       thread: it propagates like an outage, and the news waits for someone to fix the app.</li>
 *   <li>A message the chat service cannot show ({@link ChatGateway.MessageRefusedException}) is a reply dropped, saying
 *       why, while the rest of the thread goes on; a headline it refuses propagates like an outage, and the news waits
 *       until Gantry renders it differently.</li>
 * </ul>
 *
 * <p>Channels: a release thread goes to {@link SlackConfig#channelFor} its service, a pipeline thread to its service's
 * channel when the news names one, everything else (rebuilds, Gantry's own alarms) to {@link SlackConfig#defaultChannel()}.
 *
 * <p>Errors: besides the chat service's, {@link ReleaseThreads.ReleaseThreadsException} from the store,
 * {@link ThreadContendedException} when the thread kept changing under this notifier, and
 * {@link HeadlineUncertainException}; all are worth a redelivery.
 */
public final class NotifyService {

    /** How long one invocation may deliver a thread undisturbed: a few Slack calls take seconds. */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);

    /** Saves tried against other writers before giving up; each loser re-reads, so a few suffice even in a burst. */
    static final int MAX_ATTEMPTS = 10;

    private static final Logger LOG = LoggerFactory.getLogger(NotifyService.class);

    private final ReleaseThreads threads;
    private final ChatGateway chat;
    private final SlackConfig slack;
    private final Clock clock;
    private final Duration lease;
    private final Supplier<String> owners;

    public NotifyService(ReleaseThreads threads, ChatGateway chat, SlackConfig slack, Clock clock) {
        this(threads, chat, slack, clock, DEFAULT_LEASE, () -> UUID.randomUUID().toString());
    }

    /**
     * @param lease how long a delivery may hold a thread; shorter than the notify queue's visibility timeout
     * @param owners names each call to {@link #apply}, so that its lease is told apart from another's
     */
    public NotifyService(ReleaseThreads threads, ChatGateway chat, SlackConfig slack, Clock clock, Duration lease,
            Supplier<String> owners) {
        this.threads = Objects.requireNonNull(threads, "threads");
        this.chat = Objects.requireNonNull(chat, "chat");
        this.slack = Objects.requireNonNull(slack, "slack");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.lease = Objects.requireNonNull(lease, "lease");
        this.owners = Objects.requireNonNull(owners, "owners");
        if (slack.defaultChannel() == null || slack.defaultChannel().isBlank()) {
            throw new IllegalArgumentException("Slack needs a default channel");
        }
    }

    /**
     * What one call did for its thread.
     *
     * @param repliesPosted replies posted by this call
     * @param detail why, for logs: the rejection's error, the lease holder, a dropped reply
     */
    public record Delivery(ThreadKey thread, Result result, int repliesPosted, String detail) {

        public enum Result {
            /** The headline was posted (the thread's first message), and pending replies after it. */
            POSTED,
            /**
             * The headline an earlier delivery posted, whose answer was never recorded, was found in the chat service
             * and taken as the thread's; it was updated to the story, and pending replies posted.
             */
            FOUND,
            /** The headline was updated in place, and pending replies posted. */
            UPDATED,
            /** Only replies were posted; the headline already showed the story. */
            REPLIED,
            /** The news was told already, or changes nothing: no call. */
            UNCHANGED,
            /** Another invocation is delivering the thread; the news is saved for it to deliver. */
            DEFERRED,
            /** The chat service refused the thread for good; the news is kept, not told. */
            REJECTED
        }
    }

    /** Thrown when the thread kept changing under this notifier for {@value #MAX_ATTEMPTS} attempts. */
    public static final class ThreadContendedException extends RuntimeException {
        ThreadContendedException(ThreadKey key) {
            super("thread " + key.describe() + " kept changing under this notifier for " + MAX_ATTEMPTS + " attempts");
        }
    }

    /**
     * Thrown when an earlier delivery set out to post the thread's headline, never recorded the answer, and the chat
     * service refused to be asked whether the message is there: posting again could show the release twice, so the
     * news waits until the chat service can tell (e.g. once the bot is invited to the channel).
     */
    public static final class HeadlineUncertainException extends RuntimeException {
        HeadlineUncertainException(StoredThread thread, String error, RuntimeException cause) {
            super("thread " + thread.key().describe() + ": a headline post in " + thread.channel() + " under marker " + thread.posting().id()
                    + " (" + thread.posting().at() + ") was never recorded, and the chat service refused to say whether it is there ("
                    + error + ": " + cause.getMessage() + "); the headline is not posted again until it can be looked up"
                    + ("not_in_channel".equals(error) ? ": invite the Slack app to " + thread.channel() + " so it may read it" : ""),
                    cause);
        }
    }

    public Delivery apply(ReleaseNews news) {
        ThreadKey key = news.thread();
        String channel = channelFor(news);
        String owner = owners.get();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Instant now = clock.instant();
            StoredThread stored = threads.find(key).orElseGet(() -> StoredThread.fresh(key, channel, slack.failureMention()));
            if (stored.rejected() != null) {
                if (stored.headlineTs() == null && !stored.channel().equals(channel)) {
                    LOG.info("thread {} was rejected in {} ({}); starting it again in {}", key.describe(), stored.channel(), stored.rejected(),
                            channel);
                    stored = stored.movedTo(channel);
                } else {
                    ReleaseThread next = stored.state().apply(news);
                    if (next != stored.state() && !threads.save(stored.withState(next).next(now), stored.version())) {
                        continue;
                    }
                    return new Delivery(key, Delivery.Result.REJECTED, 0, stored.rejected());
                }
            }
            ReleaseThread next = stored.state().apply(news);
            boolean changed = next != stored.state();
            if (!changed && (stored.delivered() || stored.version() == 0)) {
                // A thread that would open with nothing to say is not opened.
                return new Delivery(key, Delivery.Result.UNCHANGED, 0, "news " + news.newsId() + " changes nothing");
            }
            StoredThread folded = stored.withState(next);
            if (folded.leasedToAnother(owner, now)) {
                if (changed && !threads.save(folded.next(now), stored.version())) {
                    continue;
                }
                return new Delivery(key, Delivery.Result.DEFERRED, 0, "delivered by " + folded.leaseOwner() + " until " + folded.leaseUntil());
            }
            StoredThread leased = folded.leasedTo(owner, now.plus(lease));
            if (leased.headlineTs() == null && leased.posting() == null) {
                // Saved with the claim, so the intent to post is stored before the post at no extra write.
                leased = leased.postingUnder(new PostingMarker(owner, now));
            }
            StoredThread claimed = leased.next(now);
            if (!threads.save(claimed, stored.version())) {
                continue;
            }
            return deliver(claimed, owner);
        }
        throw new ThreadContendedException(key);
    }

    private String channelFor(ReleaseNews news) {
        ThreadKey key = news.thread();
        return switch (key.kind()) {
            case RELEASE -> slack.channelFor(key.name());
            case PIPELINE -> news instanceof ReleaseNews.PipelineChanged pipeline && pipeline.service() != null
                    ? slack.channelFor(pipeline.service()) : slack.defaultChannel();
            case REBUILD, OPERATIONS -> slack.defaultChannel();
        };
    }

    /** Brings Slack up to the stored story while this call holds the lease. */
    private Delivery deliver(StoredThread claimed, String owner) {
        ThreadKey key = claimed.key();
        StoredThread thread = claimed;
        Delivery.Result result = Delivery.Result.UNCHANGED;
        int replies = 0;
        String detail = null;
        try {
            while (true) {
                StoredThread current = thread;
                if (current.headlineTs() == null && (current.posting() == null || !owner.equals(current.posting().id()))) {
                    Optional<ChatGateway.Posted> found = current.posting() == null ? Optional.empty() : lookUp(current);
                    if (found.isPresent()) {
                        ChatGateway.Posted posted = found.get();
                        LOG.info("thread {}: found the headline posted under marker {} at {}; taking it", key.describe(), current.posting().id(),
                                posted.ts());
                        // Shown revision 0: what the message shows is not known, so it is updated to the story next.
                        thread = record(current, owner, s -> s.headlineTs() == null ? s.posted(posted.channelId(), posted.ts(), 0) : s);
                        result = Delivery.Result.FOUND;
                    } else {
                        PostingMarker mine = new PostingMarker(owner, clock.instant());
                        thread = record(current, owner, s -> s.headlineTs() == null ? s.postingUnder(mine) : s);
                    }
                } else if (current.headlineTs() == null) {
                    long revision = current.state().revision();
                    ChatGateway.Posted posted = chat.postHeadline(current.channel(), current.state().headline(), key, current.posting());
                    // Another notifier that took over after this lease ran out may have posted first: keep its message.
                    thread = record(current, owner, s -> s.headlineTs() == null ? s.posted(posted.channelId(), posted.ts(), revision) : s);
                    result = Delivery.Result.POSTED;
                } else if (current.shownRevision() < current.state().revision()) {
                    long revision = current.state().revision();
                    chat.update(current.channel(), current.headlineTs(), current.state().headline());
                    thread = record(current, owner, s -> s.shown(revision));
                    if (result != Delivery.Result.POSTED && result != Delivery.Result.FOUND) {
                        result = Delivery.Result.UPDATED;
                    }
                } else if (!current.state().pendingReplies().isEmpty()) {
                    ReleaseThread.Reply reply = current.state().pendingReplies().getFirst();
                    try {
                        chat.post(current.channel(), reply.message(), current.headlineTs());
                        replies++;
                    } catch (ChatGateway.MessageRefusedException e) {
                        // Refused however often it is sent, until Gantry renders it differently. A reply is one detail of
                        // the story, which the headline tells whole: holding it would hold every later news of the
                        // thread behind it (the queue's group is the thread) for its fifty receives, hours, only to park
                        // it in the dead-letter queue. So it is dropped, loudly, and the thread goes on.
                        LOG.error("thread {}: reply {} dropped, the chat service cannot show it: {}", key.describe(), reply.id(), e.getMessage());
                        detail = "reply " + reply.id() + " dropped: " + e.error();
                    }
                    thread = record(current, owner, s -> s.withState(s.state().replyPosted(reply.id())));
                    if (result == Delivery.Result.UNCHANGED) {
                        result = Delivery.Result.REPLIED;
                    }
                } else if (threads.save(current.released().next(clock.instant()), current.version())) {
                    LOG.info("thread {}: {} ({} replies)", key.describe(), result, replies);
                    return new Delivery(key, result, replies, detail);
                } else {
                    // Someone saved news while this call delivered: deliver that too before letting go.
                    thread = reload(key);
                    if (!owner.equals(thread.leaseOwner())) {
                        return new Delivery(key, result, replies, "handed over to " + thread.leaseOwner());
                    }
                }
                if (thread == null) {
                    return new Delivery(key, result, replies, "lease ran out; another notifier delivers the rest");
                }
            }
        } catch (ChatGateway.RejectedException e) {
            LOG.warn("thread {} was rejected by the chat service, which refused its channel or message ({}); it is not told again",
                    key.describe(), e.getMessage());
            record(thread, owner, s -> s.rejectedWith(e.error()));
            return new Delivery(key, Delivery.Result.REJECTED, replies, e.error());
        } catch (RuntimeException e) {
            // Everything else leaves the thread as it is and fails the delivery, so its news stays queued: an outage, a
            // refused token or scope, and a headline the chat service cannot show. Skipping such a headline would leave
            // the release untold with no one hearing of it, and rejecting the thread would silence it for good; failing
            // ends in the queue's dead-letter queue, which alarms, and a redrive after the fix tells it. A rate-limited
            // post was not made: the next delivery need not look for it.
            letGo(thread, owner, e instanceof ChatGateway.RateLimitedException);
            throw e;
        }
    }

    /**
     * Saves what a successful call achieved, on the newest stored thread if it changed meanwhile.
     *
     * @return the saved thread, or null when another notifier holds the lease now (this call stops delivering)
     */
    private StoredThread record(StoredThread basis, String owner, UnaryOperator<StoredThread> effect) {
        StoredThread current = basis;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            StoredThread next = effect.apply(current).next(clock.instant());
            if (threads.save(next, current.version())) {
                return owner.equals(next.leaseOwner()) ? next : null;
            }
            current = reload(basis.key());
        }
        throw new ThreadContendedException(basis.key());
    }

    /** Whether the chat service holds the headline an earlier delivery set out to post under {@code thread}'s marker. */
    private Optional<ChatGateway.Posted> lookUp(StoredThread thread) {
        try {
            return chat.findHeadline(thread.channel(), thread.key(), thread.posting());
        } catch (ChatGateway.RejectedException e) {
            // Not a refusal of the thread: the thread is not marked rejected, and its news waits.
            throw new HeadlineUncertainException(thread, e.error(), e);
        } catch (ChatGateway.AppRefusedException e) {
            throw new HeadlineUncertainException(thread, e.error(), e);
        }
    }

    /**
     * Gives the lease up after a failed call, so that the redelivery need not wait for it to run out.
     *
     * @param notPosted the chat service said it made no post: this call's own posting marker is dropped with the lease
     */
    private void letGo(StoredThread thread, String owner, boolean notPosted) {
        try {
            Optional<StoredThread> current = threads.find(thread.key());
            if (current.isPresent() && owner.equals(current.get().leaseOwner())) {
                StoredThread released = current.get().released();
                if (notPosted && released.posting() != null && owner.equals(released.posting().id())) {
                    released = released.notPosting();
                }
                threads.save(released.next(clock.instant()), current.get().version());
            }
        } catch (RuntimeException e) {
            LOG.warn("thread {}: could not give up the delivery lease; it runs out by itself", thread.key().describe(), e);
        }
    }

    private StoredThread reload(ThreadKey key) {
        return threads.find(key).orElseThrow(() -> new IllegalStateException("thread " + key.describe() + " vanished while delivered"));
    }
}
