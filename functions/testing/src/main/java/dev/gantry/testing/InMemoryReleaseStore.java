package dev.gantry.testing;

import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Release records in memory, with the same claim and lease rules as the DynamoDB store. */
public final class InMemoryReleaseStore implements ReleaseStore {

    private final Map<ReleaseKey, Release> releases = new HashMap<>();

    @Override
    public synchronized Claim claim(Release release, Instant now, Duration lease) {
        Release existing = releases.get(release.key());
        if (existing != null && existing.status() == ReleaseStatus.SERVICE_UPDATED) {
            return new Claim.AlreadyDone(existing);
        }
        if (existing != null && existing.leaseUntil() != null && !existing.leaseUntil().isBefore(now)) {
            return new Claim.HeldElsewhere(existing);
        }
        Release claimed = existing == null
                ? withLease(release, release.owner(), now.plus(lease), now)
                : withLease(existing, release.owner(), now.plus(lease), now);
        releases.put(release.key(), claimed);
        return new Claim.Granted(claimed);
    }

    @Override
    public synchronized void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn,
            String taskDefinitionArn, List<String> changes, Instant now) {
        Release r = held(key, owner);
        releases.put(key, new Release(key, r.tag(), r.image(), r.eventId(), ReleaseStatus.REGISTERED, previousTaskDefinitionArn,
                taskDefinitionArn, changes, r.owner(), r.leaseUntil(), r.createdAt(), now));
    }

    @Override
    public synchronized void recordServiceUpdated(ReleaseKey key, String owner, Instant now) {
        Release r = held(key, owner);
        releases.put(key, new Release(key, r.tag(), r.image(), r.eventId(), ReleaseStatus.SERVICE_UPDATED,
                r.previousTaskDefinitionArn(), r.taskDefinitionArn(), r.changes(), r.owner(), null, r.createdAt(), now));
    }

    @Override
    public synchronized void abandon(ReleaseKey key, String owner, Instant now) {
        Release r = releases.get(key);
        if (r != null && owner.equals(r.owner()) && r.status() != ReleaseStatus.SERVICE_UPDATED) {
            releases.put(key, withLease(r, owner, now.minusMillis(1), now));
        }
    }

    @Override
    public synchronized Optional<Release> find(ReleaseKey key) {
        return Optional.ofNullable(releases.get(key));
    }

    private Release held(ReleaseKey key, String owner) {
        Release r = releases.get(key);
        if (r == null || !owner.equals(r.owner()) || r.status() == ReleaseStatus.SERVICE_UPDATED) {
            throw new LeaseLostException(key, owner);
        }
        return r;
    }

    private static Release withLease(Release r, String owner, Instant leaseUntil, Instant now) {
        return new Release(r.key(), r.tag(), r.image(), r.eventId(), r.status(), r.previousTaskDefinitionArn(),
                r.taskDefinitionArn(), r.changes(), owner, leaseUntil, r.createdAt(), now);
    }
}
