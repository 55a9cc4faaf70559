package dev.gantry.testing;

import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Release records in memory, with the same claim and lease rules as the DynamoDB store. */
public final class InMemoryReleaseStore implements ReleaseStore {

    private final Map<ReleaseKey, Release> releases = new HashMap<>();
    private final Map<String, Lock> locks = new HashMap<>();

    private record Lock(String owner, Instant until) {}

    @Override
    public synchronized Claim claim(Release release, Instant now, Duration lease) {
        Release existing = releases.get(release.key());
        if (existing != null && existing.status() == ReleaseStatus.SERVICE_UPDATED) {
            return new Claim.AlreadyDone(existing);
        }
        if (existing != null && existing.leaseUntil() != null && !existing.leaseUntil().isBefore(now)) {
            return new Claim.HeldElsewhere(existing);
        }
        Release claimed = (existing == null ? release : existing).leasedTo(release.owner(), now.plus(lease), now);
        releases.put(release.key(), claimed);
        return new Claim.Granted(claimed);
    }

    @Override
    public synchronized Claim claimRedeploy(Release release, Instant now, Duration lease) {
        Release existing = releases.get(release.key());
        if (existing != null && existing.redeployableFor(release.eventId())) {
            Release claimed = existing.redeployClaimed(release.eventId(), release.owner(), now.plus(lease), now);
            releases.put(release.key(), claimed);
            return new Claim.Granted(claimed);
        }
        return claim(release, now, lease);
    }

    @Override
    public synchronized void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn,
            String taskDefinitionArn, List<String> changes, Instant now) {
        releases.put(key, held(key, owner).registered(previousTaskDefinitionArn, taskDefinitionArn, changes, now));
    }

    @Override
    public synchronized void recordServiceUpdated(ReleaseKey key, String owner, Instant now) {
        releases.put(key, held(key, owner).serviceUpdated(now));
    }

    @Override
    public synchronized void abandon(ReleaseKey key, String owner, Instant now) {
        Release r = releases.get(key);
        if (r != null && owner.equals(r.owner()) && r.status() != ReleaseStatus.SERVICE_UPDATED) {
            releases.put(key, r.leasedTo(owner, now.minusMillis(1), now));
        }
    }

    @Override
    public synchronized Optional<Release> find(ReleaseKey key) {
        return Optional.ofNullable(releases.get(key));
    }

    @Override
    public synchronized List<Release> history(String service, String environment) {
        return releases.values().stream()
                .filter(r -> r.key().service().equals(service) && r.key().environment().equals(environment))
                .sorted(Comparator.comparing(Release::enteredAt).thenComparing(Release::updatedAt).reversed())
                .toList();
    }

    @Override
    public synchronized boolean recordRollout(ReleaseKey key, RolloutStatus status, String reason, Instant now) {
        Release r = releases.get(key);
        if (r == null || r.status() != ReleaseStatus.SERVICE_UPDATED) {
            throw new ReleaseStoreException("release " + key.id() + " has not updated its service; no rollout to record", null);
        }
        if (!status.mayReplace(r.rolloutStatus())) {
            return false;
        }
        releases.put(key, r.rollout(status, reason, now));
        return true;
    }

    @Override
    public synchronized boolean lockEnvironment(String service, String environment, String owner, Instant now, Duration lease) {
        Lock current = locks.get(service + "/" + environment);
        if (current != null && !current.owner().equals(owner) && !current.until().isBefore(now)) {
            return false;
        }
        locks.put(service + "/" + environment, new Lock(owner, now.plus(lease)));
        return true;
    }

    @Override
    public synchronized void unlockEnvironment(String service, String environment, String owner) {
        locks.computeIfPresent(service + "/" + environment, (k, lock) -> lock.owner().equals(owner) ? null : lock);
    }

    private Release held(ReleaseKey key, String owner) {
        Release r = releases.get(key);
        if (r == null || !owner.equals(r.owner()) || r.status() == ReleaseStatus.SERVICE_UPDATED) {
            throw new LeaseLostException(key, owner);
        }
        return r;
    }
}
