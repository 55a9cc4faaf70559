package dev.gantry.core.notify;

import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.CheckResult;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateState;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

/**
 * One release of payments-api 1.4.0 told through Gantry's own reports: deployed to staging, rolled out, held at the
 * production gate for two approvals, approved, deployed to production and rolled out. Each step is the news a
 * function would hand over after its report.
 */
final class Story {

    static final String SERVICE = "payments-api";
    static final String ACCOUNT = "111111111111";
    static final String REGION = "eu-west-1";
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final ImageDigest DIGEST = digest("payments-api-1.4.0");
    static final ImageDigest PREVIOUS = digest("payments-api-1.3.0");
    static final String IMAGE = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com/payments-api@" + DIGEST.value();
    static final String CHANGE = "app: payments-api:1.3.0@sha256:" + PREVIOUS.shortForm() + " -> payments-api:1.4.0@sha256:" + DIGEST.shortForm();

    private Story() {}

    /** A digest whose short form differs from every other seed's, as real digests' do. */
    static ImageDigest digest(String seed) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return new ImageDigest("sha256:" + HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String taskDefinition(String environment, int revision) {
        return "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/payments-api-" + environment + ":" + revision;
    }

    static Release release(String environment, Instant at) {
        ReleaseKey key = new ReleaseKey(SERVICE, environment, DIGEST);
        return Release.proposed(key, "1.4.0", IMAGE, "event-" + environment, "invocation-1", at.plusSeconds(60), at)
                .registered(taskDefinition(environment, 6), taskDefinition(environment, 7), List.of(CHANGE), at)
                .serviceUpdated(at);
    }

    static ReleaseNews.DeployStarted deployed(String environment, Instant at) {
        Release release = release(environment, at);
        DeployOutcome outcome = new DeployOutcome(SERVICE, environment, DeployOutcome.Result.DEPLOYED, "moved",
                release.previousTaskDefinitionArn(), release.taskDefinitionArn(), release.changes());
        return ReleaseNews.DeployStarted.of(outcome, release, null, new EcsServiceRef(ACCOUNT, REGION, environment, SERVICE),
                List.of("U012ALICE"), at);
    }

    static ReleaseNews.RolloutChanged rollout(String environment, RolloutStatus status, String reason, Instant at) {
        return ReleaseNews.RolloutChanged.of(release(environment, at).rollout(status, reason, at), at);
    }

    static GateRecord atGate(Instant at) {
        GateSubject subject = new GateSubject(new ReleaseKey(SERVICE, "prod", DIGEST), IMAGE, "1.4.0", at, List.of("U012ALICE"),
                GateOrigin.DEPLOY);
        return GateRecord.arriving(subject, "production", at);
    }

    static GateRecord waitingForApprovals(GateRecord record, int approvals, Instant at) {
        String tally = approvals + " of 2 approvals";
        GateVerdict verdict = new GateVerdict("production", GateVerdict.Outcome.WAITING, "waiting for approvals", at.plusSeconds(60),
                List.of(CheckResult.pass("alarms", List.of("payments-api-5xx: OK")),
                        CheckResult.waitUntil("approvals", tally, Instant.MAX, List.of(tally))),
                new GateState(null, at));
        return record.evaluated(verdict, GateStatus.WAITING, at.plusSeconds(60), at.plusSeconds(60), at);
    }

    static GateRecord approvedBy(GateRecord record, String user, Instant at) {
        return record.withDecision(new Approval(user, at, DIGEST, Approval.Decision.APPROVE, "checked the canary"), at);
    }

    static GateRecord passed(GateRecord record, Instant at) {
        GateVerdict verdict = new GateVerdict("production", GateVerdict.Outcome.PASSED, "every check passed", null,
                List.of(CheckResult.pass("alarms", List.of("payments-api-5xx: OK")),
                        CheckResult.pass("approvals", List.of("2 of 2 approvals", "approved by U034BOB", "approved by U056CAROL"))),
                new GateState(at, at));
        return record.evaluated(verdict, GateStatus.PASSED, null, null, at);
    }
}
