package dev.gantry.reliability.harness;

import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A release record as the deploy function leaves it, written straight to the state table. */
public final class DeployedRelease {

    private static final String OWNER = "deploy-invocation";
    /** The correlation id of {@code events/gantry-ecr-push-payments-api-1.4.0.json}. */
    private static final String PUSH = "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10";
    private static final Duration LEASE = Duration.ofSeconds(90);

    private DeployedRelease() {}

    /**
     * {@code release}, payments-api 1.4.0 pushed to {@code registry}, as the deploy records it once UpdateService moved
     * the service from {@code runningRevision} (1.3.0) to {@code newRevision}.
     */
    public static void serviceUpdated(DynamoDbReleaseStore releases, ReleaseKey release, String registry, String runningRevision,
            String newRevision) {
        Instant now = Instant.now();
        String image = registry + "/payments-api@" + release.digest().value();
        releases.claim(Release.proposed(release, "1.4.0", image, PUSH, OWNER, now.plus(LEASE), now), now, LEASE);
        releases.recordRegistered(release, OWNER, runningRevision, newRevision,
                List.of("app: " + registry + "/payments-api:1.3.0 -> " + image), now);
        releases.recordServiceUpdated(release, OWNER, now);
    }
}
