package dev.gantry.core.notify;

import java.time.Instant;
import java.util.Objects;

/**
 * A release thread as stored: its story, and how far that story has reached Slack.
 *
 * @param key which thread
 * @param channel where it is posted: the configured channel (a {@code #name} or an id) until the headline is posted,
 *     then the channel id Slack answered with
 * @param headlineTs the headline message's timestamp, which identifies it for updates and replies; null before the
 *     first post
 * @param posting the headline post set out on and not recorded yet, saved before the post; null once its timestamp is
 *     recorded, and before a delivery sets out to post
 * @param shownRevision the {@link ReleaseThread#revision()} the headline in Slack shows
 * @param rejected the chat service's error code when it refused the thread for good (e.g. {@code channel_not_found});
 *     null otherwise. A rejected thread is not delivered again, unless its configured channel changes
 * @param leaseOwner the invocation delivering the thread to Slack; null when none is
 * @param leaseUntil until when {@code leaseOwner} may deliver undisturbed; null when no one is
 * @param version grows by one with every save; 0 is a thread never stored
 * @param updatedAt when it was last saved, by the notifier's clock
 * @param state the story
 */
public record StoredThread(ThreadKey key, String channel, String headlineTs, PostingMarker posting, long shownRevision, String rejected,
        String leaseOwner, Instant leaseUntil, long version, Instant updatedAt, ReleaseThread state) {

    public StoredThread {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(state, "state");
        if (!state.key().equals(key)) {
            throw new IllegalArgumentException("the state of " + state.key().describe() + " is not the thread " + key.describe());
        }
    }

    /** A thread never stored, to be posted in {@code channel}. */
    public static StoredThread fresh(ThreadKey key, String channel, String failureMention) {
        return new StoredThread(key, channel, null, null, 0, null, null, null, 0, null, ReleaseThread.open(key, failureMention));
    }

    /** Whether Slack shows all of the story: the headline is posted and current, and no reply waits. */
    public boolean delivered() {
        return headlineTs != null && shownRevision >= state.revision() && state.pendingReplies().isEmpty();
    }

    /** Whether an invocation other than {@code owner} is delivering the thread at {@code now}. */
    public boolean leasedToAnother(String owner, Instant now) {
        return leaseOwner != null && !leaseOwner.equals(owner) && leaseUntil != null && leaseUntil.isAfter(now);
    }

    /** This thread as the next version, saved at {@code now}. */
    public StoredThread next(Instant now) {
        return new StoredThread(key, channel, headlineTs, posting, shownRevision, rejected, leaseOwner, leaseUntil, version + 1, now, state);
    }

    public StoredThread withState(ReleaseThread newState) {
        return new StoredThread(key, channel, headlineTs, posting, shownRevision, rejected, leaseOwner, leaseUntil, version, updatedAt, newState);
    }

    public StoredThread leasedTo(String owner, Instant until) {
        return new StoredThread(key, channel, headlineTs, posting, shownRevision, rejected, owner, until, version, updatedAt, state);
    }

    public StoredThread released() {
        return new StoredThread(key, channel, headlineTs, posting, shownRevision, rejected, null, null, version, updatedAt, state);
    }

    /** The headline is about to be posted under {@code marker}. */
    public StoredThread postingUnder(PostingMarker marker) {
        return new StoredThread(key, channel, headlineTs, marker, shownRevision, rejected, leaseOwner, leaseUntil, version, updatedAt, state);
    }

    /** The headline post set out on did not take place: the chat service said so. */
    public StoredThread notPosting() {
        return new StoredThread(key, channel, headlineTs, null, shownRevision, rejected, leaseOwner, leaseUntil, version, updatedAt, state);
    }

    /** The headline was posted in {@code channelId} at {@code ts}, showing {@code revision}. */
    public StoredThread posted(String channelId, String ts, long revision) {
        return new StoredThread(key, channelId, ts, null, revision, rejected, leaseOwner, leaseUntil, version, updatedAt, state);
    }

    /** The headline was updated to show {@code revision}. */
    public StoredThread shown(long revision) {
        return new StoredThread(key, channel, headlineTs, posting, Math.max(shownRevision, revision), rejected, leaseOwner, leaseUntil, version,
                updatedAt, state);
    }

    public StoredThread rejectedWith(String error) {
        return new StoredThread(key, channel, headlineTs, null, shownRevision, error, null, null, version, updatedAt, state);
    }

    /**
     * The thread started again in another channel: the configured channel changed after the old one was rejected.
     * Replies already posted in the old channel are not posted again.
     */
    public StoredThread movedTo(String newChannel) {
        return new StoredThread(key, newChannel, null, null, 0, null, null, null, version, updatedAt, state);
    }
}
