package dev.gantry.core.deploy;

import dev.gantry.core.config.EnvironmentConfig;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which revisions of a task-definition family a cleanup deregisters. Pure.
 *
 * <p>The newest {@code keep} revisions stay. Of the older ones, a revision stays as well when a service still uses it
 * (a PRIMARY or ACTIVE deployment) or when it is protected: the revision just registered and the one it replaced,
 * which a rollback returns to. The rest are deregistered oldest first, at most {@code limit} at a time, so a family
 * with a long history is worked off over several deploys instead of stretching one.
 */
public final class RevisionCleanupPolicy {

    private RevisionCleanupPolicy() {}

    /**
     * What to do with the older revisions of a family.
     *
     * @param deregister revisions to deregister, oldest first
     * @param spared older than the newest {@code keep} but kept, each with the reason
     * @param deferred how many more could go, left for a later cleanup by the limit
     */
    public record Plan(List<String> deregister, Map<String, String> spared, int deferred) {

        public Plan {
            deregister = List.copyOf(deregister);
            spared = Collections.unmodifiableMap(new LinkedHashMap<>(spared));
        }

        public boolean isEmpty() {
            return deregister.isEmpty();
        }
    }

    /**
     * @param family the family to clean; revisions of other families are never touched
     * @param revisions the family's ACTIVE revision ARNs, in any order; others are ignored
     * @param keep how many of the newest revisions stay; at least {@link EnvironmentConfig#MIN_KEEP_REVISIONS}
     * @param inUse revisions some service runs or is moving to or from
     * @param protectedRevisions never deregistered: the revision just registered and the one it replaced
     * @param limit at most this many are deregistered; at least 1
     * @throws IllegalArgumentException when {@code keep} or {@code limit} is out of range
     */
    public static Plan plan(String family, List<String> revisions, int keep, Set<String> inUse, Set<String> protectedRevisions,
            int limit) {
        if (keep < EnvironmentConfig.MIN_KEEP_REVISIONS) {
            throw new IllegalArgumentException("keep must be at least " + EnvironmentConfig.MIN_KEEP_REVISIONS
                    + ", was " + keep);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        List<TaskDefinitionArn> newestFirst = revisions.stream()
                .map(RevisionCleanupPolicy::parse)
                .flatMap(Optional::stream)
                .filter(r -> r.family().equals(family))
                .distinct()
                .sorted(Comparator.comparingInt(TaskDefinitionArn::revision).reversed())
                .toList();
        List<String> candidates = new ArrayList<>();
        Map<String, String> spared = new LinkedHashMap<>();
        for (TaskDefinitionArn revision : newestFirst.subList(Math.min(keep, newestFirst.size()), newestFirst.size())) {
            if (protectedRevisions.contains(revision.arn())) {
                spared.put(revision.arn(), "protected: the revision just registered or the one it replaced");
            } else if (inUse.contains(revision.arn())) {
                spared.put(revision.arn(), "in use by a service deployment");
            } else {
                candidates.add(revision.arn());
            }
        }
        List<String> oldestFirst = candidates.reversed();
        List<String> deregister = oldestFirst.subList(0, Math.min(limit, oldestFirst.size()));
        return new Plan(deregister, spared, oldestFirst.size() - deregister.size());
    }

    private static Optional<TaskDefinitionArn> parse(String arn) {
        try {
            return Optional.of(TaskDefinitionArn.parse(arn));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
