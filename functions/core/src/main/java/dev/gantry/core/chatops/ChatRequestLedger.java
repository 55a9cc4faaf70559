package dev.gantry.core.chatops;

import java.time.Duration;
import java.time.Instant;

/**
 * The guard that gives each Slack request one effect, although Slack retries a command it got no quick answer to and
 * people double-click. Commands are keyed by Slack's {@code trigger_id} ({@code command#<team id>#<trigger id>}),
 * clicks on a pipeline approval by the pending approval and the person ({@code click#<pending approval id>#<user id>}).
 * A click on a gate's card holds two keys, so that a person may change their decision but not repeat it: the click
 * itself ({@code click#<pending approval id>#<user id>#<trigger id>}), and the decision with the one of theirs it
 * replaces ({@code click#<pending approval id>#<user id>#<approve|reject>#over#<none|APPROVE@<at>|REJECT@<at>>}).
 *
 * <p>Contract, as for the pipeline job ledger: every change is a conditional write. Records are kept at least as long
 * as a pending approval can be clicked (the DynamoDB ledger: 30 days after the last change, by TTL). Implementations
 * translate their own failures into {@link ChatRequestLedgerException}.
 */
public interface ChatRequestLedger {

    /**
     * Claims {@code requestKey} for {@code owner} until {@code now + lease}: {@link Claim.Granted} when no record exists,
     * or when one exists that is not completed and whose lease ended before {@code now} (its invocation died);
     * {@link Claim.InProgress} when another owner's lease has not ended; {@link Claim.AlreadyDone} with the stored
     * outcome once completed. DynamoDB: a put conditional on {@code attribute_not_exists(pk) OR (#status <> COMPLETED
     * AND leaseUntil < :now)}, and a consistent read of the winner when the condition fails.
     */
    Claim claim(String requestKey, String owner, Instant now, Duration lease);

    /**
     * Stores the outcome; the request is then done for good and every later claim answers it. Only the lease holder
     * may (condition {@code owner = :owner AND #status <> COMPLETED}); otherwise {@link LeaseLostException}.
     *
     * @param outcome one line, as the person was told it
     */
    void complete(String requestKey, String owner, String outcome, Instant now);

    /**
     * Gives the claim up after an attempt that changed nothing for good (a chat or AWS call that failed and may be
     * tried again), so the person's next click is not answered "already done". Does nothing when {@code owner} does
     * not hold it.
     */
    void abandon(String requestKey, String owner, Instant now);

    /** The outcome of {@link #claim}. */
    sealed interface Claim {

        /** The caller holds the lease and acts. */
        record Granted() implements Claim {}

        /** Another invocation is acting on the same request right now. */
        record InProgress(Instant leaseUntil) implements Claim {}

        /** The request was answered before; {@code outcome} is what its person was told. */
        record AlreadyDone(String outcome, Instant completedAt) implements Claim {}
    }

    class ChatRequestLedgerException extends RuntimeException {
        public ChatRequestLedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A write by an invocation that no longer holds the request's lease. */
    class LeaseLostException extends RuntimeException {
        public LeaseLostException(String requestKey, String owner) {
            super("chat request " + requestKey + " is no longer leased to " + owner);
        }
    }
}
