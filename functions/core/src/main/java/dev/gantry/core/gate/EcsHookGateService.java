package dev.gantry.core.gate;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.release.ReleaseKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers an ECS deployment lifecycle hook (ECS-native blue/green, linear and canary deployments) from the
 * gate of the environment being deployed: SUCCEEDED when the gate passed, IN_PROGRESS with a call-back
 * delay while it waits, FAILED (ECS rolls back) when it refused the release.
 *
 * <ul>
 *   <li>The release is the digest ECS resolved for the service's own containers in the revision being
 *       deployed (those the environment lists, or whose image comes from the service's repository). When they
 *       run different digests, each must pass.</li>
 *   <li>An environment without a gate succeeds at once: the hook has nothing to hold. A service Gantry does
 *       not know fails, because a hook wired to Gantry for a service it cannot gate is a mistake to surface,
 *       not a deployment to wave through.</li>
 *   <li>A revision that cannot be read answers IN_PROGRESS: ECS asks again, and its hook timeout bounds the
 *       wait.</li>
 * </ul>
 */
public final class EcsHookGateService {

    /** ECS's own default; also the least Gantry asks for, so a flapping check cannot make ECS call in a loop. */
    static final Duration MIN_CALLBACK = Duration.ofSeconds(30);
    /** At most this long between looks, so an approval given in Slack is seen within minutes. */
    static final Duration MAX_CALLBACK = Duration.ofMinutes(5);

    private static final Logger LOG = LoggerFactory.getLogger(EcsHookGateService.class);

    private final GantryConfig config;
    private final GateService gates;
    private final ServiceRevisions revisions;
    private final Clock clock;

    public EcsHookGateService(GantryConfig config, GateService gates, ServiceRevisions revisions, Clock clock) {
        this.config = config;
        this.gates = gates;
        this.revisions = revisions;
        this.clock = clock;
    }

    /**
     * @param serviceArn the service being deployed, as the hook payload names it
     * @param targetServiceRevisionArn the revision being deployed
     * @param lifecycleStage the stage ECS is at, for the record
     */
    public HookAnswer answer(String serviceArn, String targetServiceRevisionArn, String lifecycleStage) {
        Objects.requireNonNull(serviceArn, "serviceArn");
        Objects.requireNonNull(targetServiceRevisionArn, "targetServiceRevisionArn");
        ServiceArn arn = ServiceArn.parse(serviceArn);
        Match match = find(arn);
        if (match == null) {
            return HookAnswer.failed("service " + serviceArn + " is not in Gantry's configuration, so Gantry cannot gate it;"
                    + " remove this hook or add the service to gantry.yml");
        }
        String target = match.service().name() + "/" + match.environment().name();
        if (!match.environment().gated()) {
            return HookAnswer.succeeded(target + " has no gate");
        }
        ServiceRevisions.Revision revision;
        try {
            revision = revisions.describe(targetServiceRevisionArn);
        } catch (ServiceRevisions.ServiceRevisionsException e) {
            LOG.warn("hook for {} at {}: revision {} could not be read", target, lifecycleStage, targetServiceRevisionArn, e);
            return HookAnswer.inProgress(MIN_CALLBACK, "the revision being deployed could not be read: " + e.getMessage());
        }
        Map<ImageDigest, String> releases = releasesIn(revision, match);
        if (releases.isEmpty()) {
            return HookAnswer.failed("revision " + targetServiceRevisionArn + " runs no image of " + match.service().repository()
                    + " with a digest ECS resolved, so there is no release to gate");
        }
        List<String> reasons = new ArrayList<>();
        boolean waiting = false;
        Instant earliest = null;
        for (Map.Entry<ImageDigest, String> release : releases.entrySet()) {
            ReleaseKey key = new ReleaseKey(match.service().name(), match.environment().name(), release.getKey());
            GateRecord record = gates.evaluate(new GateSubject(key, release.getValue(), null, null, List.of(), GateOrigin.ECS_HOOK,
                            // ECS creates a service revision per deployment: its callbacks ask about one round.
                            targetServiceRevisionArn),
                    releases.keySet());
            String line = "gate '" + record.gate() + "' for " + key.id() + ": " + record.status() + " (" + record.reason() + ")";
            LOG.info("hook at {}: {}", lifecycleStage, line);
            switch (record.status()) {
                case PASSED -> reasons.add(line);
                case WAITING -> {
                    waiting = true;
                    reasons.add(line);
                    if (record.nextLook() != null && (earliest == null || record.nextLook().isBefore(earliest))) {
                        earliest = record.nextLook();
                    }
                }
                case FAILED, TIMED_OUT, SUPERSEDED -> {
                    return HookAnswer.failed(line);
                }
            }
        }
        if (waiting) {
            Duration delay = earliest == null ? MIN_CALLBACK : Duration.between(clock.instant(), earliest);
            return HookAnswer.inProgress(clamp(delay), String.join("; ", reasons));
        }
        return HookAnswer.succeeded(String.join("; ", reasons));
    }

    private Map<ImageDigest, String> releasesIn(ServiceRevisions.Revision revision, Match match) {
        Map<ImageDigest, String> releases = new LinkedHashMap<>();
        for (ServiceRevisions.ContainerImage container : revision.containers()) {
            boolean ours = match.environment().containers().isEmpty()
                    ? ImageReference.parse(container.image()).repository().equals(match.service().repository())
                    : match.environment().containers().contains(container.containerName());
            if (ours && container.digest() != null) {
                ImageDigest digest = ImageDigest.parse(container.digest());
                ImageReference named = ImageReference.parse(container.image());
                releases.putIfAbsent(digest, new ImageReference(named.registry(), named.repository(), null, digest.value()).render());
            }
        }
        return releases;
    }

    private Match find(ServiceArn arn) {
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                if (environment.account().equals(arn.account()) && environment.region().equals(arn.region())
                        && environment.cluster().equals(arn.cluster()) && environment.service().equals(arn.service())) {
                    return new Match(service, environment);
                }
            }
        }
        return null;
    }

    private static Duration clamp(Duration delay) {
        if (delay.compareTo(MIN_CALLBACK) < 0) {
            return MIN_CALLBACK;
        }
        return delay.compareTo(MAX_CALLBACK) > 0 ? MAX_CALLBACK : delay;
    }

    private record Match(ServiceConfig service, EnvironmentConfig environment) {}

    /** {@code arn:aws:ecs:<region>:<account>:service/<cluster>/<service>}. */
    record ServiceArn(String region, String account, String cluster, String service) {
        static ServiceArn parse(String arn) {
            String[] parts = arn.split(":", 6);
            if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("ecs") || !parts[5].startsWith("service/")) {
                throw new IllegalArgumentException("'" + arn + "' is not an ECS service ARN (arn:aws:ecs:<region>:<account>:service/<cluster>/<service>)");
            }
            String[] path = parts[5].split("/");
            if (path.length != 3) {
                throw new IllegalArgumentException("'" + arn + "' is an ECS service ARN in the old format without the cluster;"
                        + " ECS lifecycle hooks name services in the long format");
            }
            return new ServiceArn(parts[3], parts[4], path[1], path[2]);
        }
    }

    /**
     * What the hook answers ECS.
     *
     * @param status SUCCEEDED, IN_PROGRESS or FAILED
     * @param callBackDelay for IN_PROGRESS: when ECS should ask again; null otherwise
     * @param reason why, for the log and the release record
     */
    public record HookAnswer(HookStatus status, Duration callBackDelay, String reason) {
        static HookAnswer succeeded(String reason) {
            return new HookAnswer(HookStatus.SUCCEEDED, null, reason);
        }

        static HookAnswer inProgress(Duration delay, String reason) {
            return new HookAnswer(HookStatus.IN_PROGRESS, delay, reason);
        }

        static HookAnswer failed(String reason) {
            return new HookAnswer(HookStatus.FAILED, null, reason);
        }
    }

    public enum HookStatus { SUCCEEDED, IN_PROGRESS, FAILED }
}
