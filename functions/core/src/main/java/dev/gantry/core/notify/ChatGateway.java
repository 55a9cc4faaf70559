package dev.gantry.core.notify;

import java.util.Optional;

/**
 * Where Gantry's messages are posted and updated: Slack's Web API in production, a recording fake in tests.
 *
 * <p>Failures are told apart because they are handled apart, by whose they are:
 * <ul>
 *   <li>the chat service's own: a rate limit ({@link RateLimitedException}) or an outage, its temporary errors included
 *       ({@link UnavailableException}). Retried later with nothing lost: the message waits in its queue;</li>
 *   <li>one thread's: the channel or the message a call names is gone, archived or closed to the app
 *       ({@link RejectedException}). Not retried: a retry would be refused the same way, and no one is waiting for it;</li>
 *   <li>Gantry's: its token or the app's permissions ({@link AppRefusedException}), or a message the chat service cannot
 *       show ({@link MessageRefusedException}). Refused for every thread alike until someone fixes Gantry or its app, so
 *       the caller fails and keeps what it was telling, for its queue to try again and park where an alarm sees it.</li>
 * </ul>
 */
public interface ChatGateway {

    /**
     * Posts a message.
     *
     * @param threadTs the thread to reply in; null for a new top-level message
     * @return where it was posted: the channel id (Slack answers with the id even when given a name) and the
     *     message's timestamp, which identifies it for later updates and replies
     */
    Posted post(String channel, ChatMessage message, String threadTs);

    /**
     * Posts a thread's headline, a top-level message that carries {@code thread} and {@code marker} where
     * {@link #findHeadline} can find them: a post whose answer was lost (a timeout, or a store that failed to record
     * it) is then found again instead of posted twice. Failures as {@link #post}, with one difference: an
     * implementation that repeats a post after a failure it cannot read (a timeout, a broken connection, a 5xx) looks
     * for the first one before repeating it.
     */
    Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker);

    /**
     * Looks for the headline {@link #postHeadline} posted for {@code thread} under {@code marker}, stamped between
     * {@link PostingMarker#earliestPost()} and {@link PostingMarker#latestPost()}.
     *
     * @param channel where it would be: a {@code #name} or a channel id
     * @return where it is; empty when the channel holds no such message
     * @throws RateLimitedException when the chat service asked to wait
     * @throws UnavailableException when it could not be asked, or could not be read through
     * @throws RejectedException when it refused to be asked, e.g. {@code not_in_channel}: Slack lets a bot read only the
     *     channels it is a member of
     */
    Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker);

    /** Replaces a posted message's content in place. */
    void update(String channelId, String ts, ChatMessage message);

    /**
     * Answers an interaction or a command through the {@code response_url} Slack gave with it.
     *
     * @param replaceOriginal replace the message the interaction came from (an approval card showing its outcome)
     * @param ephemeral show the answer only to the person who asked
     */
    void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral);

    record Posted(String channelId, String ts) {}

    /** The chat service asked to wait: {@code retryAfterSeconds} is how long it said. */
    class RateLimitedException extends RuntimeException {
        private final long retryAfterSeconds;

        public RateLimitedException(String message, long retryAfterSeconds) {
            super(message);
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }
    }

    /**
     * The chat service could not be reached or failed (5xx, a timeout, an error it calls temporary) after the adapter's
     * own retries.
     */
    class UnavailableException extends RuntimeException {
        public UnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The chat service refused the channel or the message the call names, for a reason a retry would not change:
     * {@code error} is its code, e.g. {@code channel_not_found}, {@code is_archived}, {@code message_not_found}.
     */
    class RejectedException extends RuntimeException {
        private final String error;

        public RejectedException(String error, String message) {
            super(message);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    /**
     * The chat service refused Gantry's app rather than the thread: its token ({@code invalid_auth}, {@code token_revoked},
     * {@code account_inactive}), its permissions ({@code missing_scope}), or for a reason Gantry does not know. Every
     * thread is refused alike until someone fixes the app or its token; {@code error} is the chat service's code.
     */
    class AppRefusedException extends RuntimeException {
        private final String error;

        public AppRefusedException(String error, String message) {
            super(message);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    /**
     * The chat service refused the message Gantry made, e.g. {@code msg_too_long} or {@code invalid_blocks}: the same
     * message is refused however often it is sent, until Gantry renders it differently.
     */
    class MessageRefusedException extends RuntimeException {
        private final String error;

        public MessageRefusedException(String error, String message) {
            super(message);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }
}
