package dev.gantry.core.release;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable release records, and the guard that makes a release happen once although events arrive at
 * least once and sometimes concurrently.
 *
 * <p>Every method that changes a record is a conditional write in the real store. Implementations
 * translate their own failures into {@link ReleaseStoreException}.
 */
public interface ReleaseStore {

    /**
     * Claims {@code release.key()} for {@code release.owner()} until {@code now + lease}.
     *
     * <p>Granted when no record exists, or when one exists that is not finished and whose lease ran
     * out before {@code now} (its invocation died); a granted claim on an existing record keeps what
     * that record already achieved, such as its registered task definition, so the work resumes
     * instead of repeating.
     */
    Claim claim(Release release, Instant now, Duration lease);

    /**
     * Claims {@code release.key()} to deploy it again: a rollback to a digest that ran in the environment before, which
     * {@link #claim} would answer with {@link Claim.AlreadyDone} because one release is deployed once.
     *
     * <p>Everything {@link #claim} grants, this grants. In addition it grants a finished release whose rollout has ended
     * ({@link Release#redeployableFor}) when {@code release.eventId()} is not the event that deployed it: in one
     * conditional write the record returns to {@link ReleaseStatus#CLAIMED} under that event, {@code release.owner()} and
     * a lease until {@code now + lease}, keeps its {@code createdAt}, sets {@code redeployedAt = now}, adds the deploy it
     * held to {@code earlierDeploys}, and drops that deploy's revisions, changes and rollout. From there it advances and
     * resumes exactly as a first deploy does.
     *
     * <p>The event id is what makes a retried request deploy once: the same event finds the release held while its
     * redeploy runs and done once it finished. A release whose rollout has not ended is done as well: ECS is still moving
     * the service to it. Of concurrent redeploy claims for different events, one is granted and the others find it held.
     * Which finished release the environment runs now is not in any one record; the caller decides that under the
     * environment's lock ({@link #lockEnvironment}) before it asks.
     *
     * <p>Gantry's stores override this. The default, for stores that only wrap or measure one (the gate benchmark's),
     * answers as {@link #claim} does: a rollback through such a store finds its release done and deploys nothing, which
     * is the safe way to lack the feature; it never deploys a release twice.
     */
    default Claim claimRedeploy(Release release, Instant now, Duration lease) {
        return claim(release, now, lease);
    }

    /**
     * Records the revision registered for the release and the one it replaces. Only the lease holder
     * may; otherwise {@link LeaseLostException}.
     */
    void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn, String taskDefinitionArn,
            List<String> changes, Instant now);

    /** Records that the service was moved to the release's revision. Only the lease holder may. */
    void recordServiceUpdated(ReleaseKey key, String owner, Instant now);

    /**
     * Gives the lease up early after a failed attempt, so that the retry of the same event may take
     * over at once instead of waiting for the lease to run out. Does nothing if the lease is not held.
     */
    void abandon(ReleaseKey key, String owner, Instant now);

    Optional<Release> find(ReleaseKey key);

    /**
     * Every release of a service environment, newest first by {@link Release#enteredAt()}: a release redeployed by a
     * rollback comes before the release it replaced.
     */
    List<Release> history(String service, String environment);

    /**
     * Records what ECS reported about the release's rollout, in one conditional write that applies
     * {@link RolloutStatus#mayReplace}, so concurrent or late events cannot undo a final status.
     *
     * @return false when the release already reached a final status that {@code status} may not replace
     * @throws ReleaseStoreException for an unknown release, or one that has not updated its service
     */
    boolean recordRollout(ReleaseKey key, RolloutStatus status, String reason, Instant now);

    /**
     * Takes the environment's deploy lock for {@code owner} until {@code now + lease}, so that deciding
     * what an environment should run and moving it there happen one release at a time: two digests
     * racing each other would otherwise each pass the "newer than what runs" check and the older could
     * be applied last. Granted when the lock is free, expired, or already {@code owner}'s.
     *
     * @return whether {@code owner} holds the lock now
     */
    boolean lockEnvironment(String service, String environment, String owner, Instant now, Duration lease);

    /** Releases the lock if {@code owner} holds it; otherwise does nothing. */
    void unlockEnvironment(String service, String environment, String owner);

    /** The outcome of {@link #claim}. */
    sealed interface Claim {
        Release release();

        /** The caller holds the lease; {@code release} includes what earlier attempts recorded. */
        record Granted(Release release) implements Claim {}

        /** Another invocation holds an unexpired lease on it. */
        record HeldElsewhere(Release release) implements Claim {}

        /** It was already carried out. */
        record AlreadyDone(Release release) implements Claim {}
    }

    /** The store could not be reached or refused a write for a reason other than a lost race. */
    class ReleaseStoreException extends RuntimeException {
        public ReleaseStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A write by an invocation whose lease another invocation has since taken over. */
    class LeaseLostException extends RuntimeException {
        public LeaseLostException(ReleaseKey key, String owner) {
            super("release " + key.id() + " is no longer leased to " + owner);
        }
    }
}
