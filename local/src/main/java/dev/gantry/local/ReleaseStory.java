package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.DynamoDbReleaseThreads;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseThread;
import dev.gantry.core.notify.StoredThread;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.rebuild.BuildRunner;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.testing.InMemoryBuildRunner;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * One release, start to end, through the functions' real handlers, each step printed as it happens: a golden image is
 * pushed; image-rebuild starts the wave of rebuilds and the builds finish (the run plays CodeBuild's part); the rebuilt
 * application image is pushed; ecs-deploy deploys it to the first environment and holds it at the gated one;
 * rollout-follow sees the rollout complete (the run plays ECS's part); the gate waits, and chatops-notify posts the
 * approval card; someone clicks Approve on the channel page (or the run does, with --auto-approve), which
 * slack-interactions and chatops-worker act on; the gate sweep deploys to the gated environment; the release thread
 * ends complete.
 *
 * <p>The first step that does not come out as it should stops the story, saying why.
 */
final class ReleaseStory {

    static final int STEPS = 9;
    static final String GOLDEN_PUSH_SAMPLE = "gantry-ecr-push-golden-java21.json";
    static final String APP_PUSH_SAMPLE = "gantry-ecr-push-payments-api-1.4.0.json";
    static final String BUILD_SUCCEEDED_SAMPLE = "gantry-codebuild-build-succeeded-runtime-java-image.json";
    static final String PIPELINE_SUCCEEDED_SAMPLE = "gantry-codepipeline-execution-succeeded-checkout-web-release.json";
    static final String DEPLOYMENT_COMPLETED_SAMPLE = "gantry-ecs-deployment-completed-payments-api-staging.json";
    static final String DEPLOYMENT_ROLLED_BACK_SAMPLE = "gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CLICK_RECORDED = Duration.ofSeconds(5);
    private static final String INDENT = "             ";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * How the story is told.
     *
     * @param autoApprove the run clicks Approve itself, through the channel page
     * @param failRollout ECS rolls the first environment back (its circuit breaker), and the story stops there
     * @param stepTimeout how long a step may wait for the functions
     * @param approvalTimeout how long the gate waits for someone to click
     */
    record Settings(boolean autoApprove, boolean failRollout, Duration stepTimeout, Duration approvalTimeout) {}

    /** A step did not come out as it should; already printed. */
    static final class StepFailed extends Exception {
        StepFailed(String message) {
            super(message);
        }
    }

    private final StoryPlan plan;
    private final LocalFunctions functions;
    private final LocalAws aws;
    private final LocalSlack slack;
    private final QueueTrigger worker;
    private final Path events;
    private final PrintStream out;
    private final Settings settings;
    private final Clock clock;
    private final long startedAt = System.nanoTime();
    private int deployments;
    private int stepsDone;

    ReleaseStory(StoryPlan plan, LocalFunctions functions, LocalAws aws, LocalSlack slack, QueueTrigger worker, Path events, PrintStream out,
            Settings settings, Clock clock) {
        this.plan = plan;
        this.functions = functions;
        this.aws = aws;
        this.slack = slack;
        this.worker = worker;
        this.events = events;
        this.out = out;
        this.settings = settings;
        this.clock = clock;
    }

    /** @return whether every step came out as it should */
    boolean play() {
        try {
            String baseDigest = goldenImagePushAndRebuildWave();
            String digest = appImagePushAndFirstDeploy(baseDigest);
            ReleaseKey gatedRelease = new ReleaseKey(plan.service().name(), plan.gated().name(), ImageDigest.parse(digest));
            PendingApproval card = gateWaitsForApproval(gatedRelease);
            approvalClicked(gatedRelease, card);
            productionDeploy(gatedRelease);
            threadComplete(ThreadKey.release(plan.service().name(), ImageDigest.parse(digest)));
            return true;
        } catch (StepFailed e) {
            return false;
        }
    }

    int stepsDone() {
        return stepsDone;
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startedAt);
    }

    /** Steps 1 and 2; answers the base digest pushed. */
    private String goldenImagePushAndRebuildWave() throws StepFailed {
        ObjectNode push = event(GOLDEN_PUSH_SAMPLE);
        ((ObjectNode) push.path("detail")).put("repository-name", plan.base().repository()).put("image-tag", plan.base().tag());
        String baseDigest = push.path("detail").path("image-digest").asText();
        // The push moved the tag, as in ECR; image-rebuild plans nothing on a push whose tag names another digest now.
        functions.registry.givenTag(push.path("account").asText() + ".dkr.ecr." + push.path("region").asText() + ".amazonaws.com/"
                + plan.base().repository() + ":" + plan.base().tag(), ImageDigest.parse(baseDigest));
        JsonNode report = invoke(1, "golden image push", functions.imageRebuild, "gantry-image-rebuild", push);
        step(1, "golden image push", plan.base().repository() + ":" + plan.base().tag() + " " + shortDigest(baseDigest)
                + " (ECR Image Action to image-rebuild)");
        if (!"REBUILDING".equals(report.path("result").asText())) {
            throw failed(2, "rebuild wave started", "image-rebuild answered " + report.path("result").asText() + ": " + report.path("note").asText());
        }
        step(2, "rebuild wave started", plan.base().name() + " " + shortDigest(baseDigest) + ": rebuilding " + report.path("images").asInt()
                + " images, wave " + report.path("wave").asInt() + " of " + report.path("waves").asInt());
        for (JsonNode outcome : report.path("outcomes")) {
            detail(outcome.path("dependent").asText() + " (" + outcome.path("target").path("kind").asText().toLowerCase() + " "
                    + outcome.path("target").path("name").asText() + "): " + outcome.path("detail").asText());
        }
        finishBuilds();
        return baseDigest;
    }

    /** Plays CodeBuild's (or CodePipeline's) part: every running build finishes, and its end goes to image-rebuild. */
    private void finishBuilds() throws StepFailed {
        for (int round = 0; !functions.builds.running().isEmpty(); round++) {
            if (round > 100) {
                throw failed(2, "rebuild wave started", "builds kept starting: " + functions.builds.running());
            }
            for (String buildId : functions.builds.running()) {
                functions.builds.finish(buildId);
                BuildRunner.BuildTarget target = start(buildId).target();
                ObjectNode finished = target.kind() == BuildRunner.BuildTarget.Kind.CODEBUILD ? buildSucceeded(target.name(), buildId)
                        : pipelineSucceeded(target.name(), buildId);
                JsonNode report = invoke(2, "rebuild wave started", functions.imageRebuild, "gantry-image-rebuild", finished);
                String outcome = report.path("outcomes").path(0).path("action").asText("IGNORED");
                detail("build " + buildId + " finished: SUCCEEDED (image-rebuild: " + outcome.toLowerCase() + ")");
            }
        }
    }

    private InMemoryBuildRunner.Start start(String buildId) {
        return functions.builds.starts().stream().filter(s -> s.buildId().equals(buildId)).findFirst().orElseThrow();
    }

    /** Steps 3, 4 and 5; answers the application image's digest. */
    private String appImagePushAndFirstDeploy(String baseDigest) throws StepFailed {
        String producer = plan.producer().codebuild() != null ? plan.producer().codebuild() : plan.producer().pipeline();
        Optional<InMemoryBuildRunner.Start> started = functions.builds.starts().stream().filter(s -> s.target().name().equals(producer))
                .reduce((first, second) -> second);
        if (started.isEmpty()) {
            throw failed(3, "app image push", "no build of " + producer + " was started, so nothing rebuilt " + plan.service().repository());
        }
        InMemoryBuildRunner.Start build = started.get();
        ObjectNode push = event(APP_PUSH_SAMPLE);
        ((ObjectNode) push.path("detail")).put("repository-name", plan.service().repository());
        String digest = push.path("detail").path("image-digest").asText();
        String tag = push.path("detail").path("image-tag").asText();
        // What the build's Dockerfile labels the image with: the base it was built FROM.
        functions.labels.givenBuiltOn(plan.service().repository(), digest, build.variables().get(RebuildService.BASE_IMAGE_VARIABLE), baseDigest);
        invoke(3, "app image push", functions.imageRebuild, "gantry-image-rebuild", push);
        JsonNode report = invoke(3, "app image push", functions.ecsDeploy, "gantry-ecs-deploy", push);
        step(3, "app image push", plan.service().repository() + ":" + tag + " " + shortDigest(digest) + ", built by " + build.buildId() + " on "
                + plan.base().repository() + " " + shortDigest(baseDigest) + " (to image-rebuild and ecs-deploy)");

        JsonNode first = outcome(report, plan.first());
        if (first == null || !"DEPLOYED".equals(first.path("result").asText())) {
            throw failed(4, "staging deploy", plan.service().name() + " " + plan.first().name() + " was not deployed: "
                    + (first == null ? "ecs-deploy said nothing of it" : first.path("result").asText() + ": " + first.path("reason").asText()));
        }
        TaskDefinitionSnapshot running = functions.ecs.describeTaskDefinition(null, first.path("toTaskDefinitionArn").asText());
        step(4, "staging deploy", plan.service().name() + " " + plan.first().name() + " DEPLOYED: task definition " + running.family() + ":"
                + running.revision());
        for (JsonNode change : first.path("changes")) {
            detail("change " + change.asText());
        }
        JsonNode gated = outcome(report, plan.gated());
        if (gated != null) {
            detail(plan.service().name() + " " + plan.gated().name() + " " + gated.path("result").asText() + ": " + gated.path("reason").asText());
        }

        JsonNode followed = followRollout(plan.first(), running.arn(), first.path("fromTaskDefinitionArn").asText(null), settings.failRollout());
        String status = followed.path("status").asText();
        String line = plan.service().name() + " " + plan.first().name() + " " + followed.path("deployment").asText("") + " " + status + " ("
                + followed.path("reason").asText() + ")";
        if (!"COMPLETED".equals(status)) {
            throw failed(5, "rollout completes", line);
        }
        step(5, "rollout completes", line);
        return digest;
    }

    /** Step 6: the gate holds the release, and chatops-notify posts its approval card. */
    private PendingApproval gateWaitsForApproval(ReleaseKey release) throws StepFailed {
        DynamoDbPendingApprovals pending = new DynamoDbPendingApprovals(aws.dynamo(), aws.table());
        String name = "production gate waits for approval";
        PendingApproval card = await(6, name, settings.stepTimeout(), () -> slack.workspace().messages().stream()
                        .flatMap(m -> approveButtonValue(m).stream())
                        .flatMap(id -> pending.find(id).stream())
                        .filter(p -> p.kind() == PendingApproval.Kind.GATE && p.gate().key().equals(release) && p.channelId() != null)
                        .findFirst(),
                () -> "no approval card for " + release.id() + " was posted; the gate stands at " + gateRecord(release)
                        .map(r -> r.status() + ": " + r.reason()).orElse("nothing (the release never reached it)"));
        SlackWorkspace.Message message = slack.workspace().find(m -> m.ts().equals(card.messageTs())).orElseThrow();
        String reason = gateRecord(release).map(GateRecord::reason).orElse("");
        step(6, name, "\"" + headerOf(message) + "\" in #" + slack.workspace().channel(card.channelId()).name() + "; gate '" + plan.gate().name()
                + "': " + reason);
        if (settings.autoApprove()) {
            detail("approving as " + String.join(", ", autoApprovers()) + " (--auto-approve)");
        } else {
            detail("open " + slack.pageUrl() + " and click Approve (you click as " + plan.approvers().get(0) + ")");
        }
        return card;
    }

    /** Step 7: someone clicks Approve; slack-interactions takes the signed request, the worker records the decision. */
    private void approvalClicked(ReleaseKey release, PendingApproval card) throws StepFailed {
        String name = "approval clicked";
        if (settings.autoApprove()) {
            for (String approver : autoApprovers()) {
                clickApprove(card, approver);
                await(7, name, settings.stepTimeout(), () -> worker.idle() ? Optional.of(true) : Optional.empty(),
                        () -> "chatops-worker did not handle the click of " + approver);
            }
        }
        GateRecord decided = await(7, name, settings.autoApprove() ? settings.stepTimeout() : settings.approvalTimeout(),
                () -> gateRecord(release).filter(r -> r.status().decided()),
                () -> "nobody decided at the gate within " + (settings.autoApprove() ? settings.stepTimeout() : settings.approvalTimeout())
                        .toSeconds() + " s; it stands at " + gateRecord(release).map(r -> r.status() + ": " + r.reason()).orElse("nothing"));
        // The page records a click once slack-interactions has answered it, which may be after the worker acted on it.
        List<SlackWorkspace.Click> clicks = awaitQuietly(CLICK_RECORDED, () -> Optional.of(slack.workspace().clicks().stream()
                .filter(c -> c.value().equals(card.id())).toList()).filter(found -> !found.isEmpty())).orElse(List.of());
        String clicked = clicks.isEmpty() ? "no click on the card"
                : clicks.stream().map(c -> (c.actionId().equals(ApprovalCards.GATE_APPROVE) ? "Approve" : "Reject") + " by " + c.userId()
                        + " (slack-interactions answered " + c.status() + ")").reduce((a, b) -> a + ", " + b).orElseThrow();
        String line = clicked + "; chatops-worker recorded it: gate " + decided.status() + " (" + decided.reason() + ")";
        if (decided.status() != GateStatus.PASSED) {
            throw failed(7, name, line);
        }
        step(7, name, line);
    }

    /** As many of the gate's approvers as it needs. */
    private List<String> autoApprovers() {
        return plan.approvers().subList(0, Math.min(plan.approvalsRequired(), plan.approvers().size()));
    }

    private void clickApprove(PendingApproval card, String user) throws StepFailed {
        SlackWorkspace.Message message = slack.workspace().find(m -> m.ts().equals(card.messageTs())).orElseThrow();
        Optional<String> blockId = blockOf(message, ApprovalCards.GATE_APPROVE);
        if (blockId.isEmpty()) {
            throw failed(7, "approval clicked", "the card has no Approve button any more");
        }
        ObjectNode click = JSON.createObjectNode().put("channel", card.channelId()).put("ts", card.messageTs()).put("blockId", blockId.get())
                .put("actionId", ApprovalCards.GATE_APPROVE).put("value", card.id()).put("user", user);
        // Through the page's own endpoint, as the browser sends a click.
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(slack.apiUrl() + "/click"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(click.toString())).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode sent = JSON.readTree(answer.body());
            if (sent.has("error") || sent.path("status").asInt() != 200) {
                throw failed(7, "approval clicked", "the click of " + user + " was not taken: " + sent);
            }
        } catch (IOException e) {
            throw failed(7, "approval clicked", "the channel page did not answer the click: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failed(7, "approval clicked", "interrupted");
        }
    }

    /** Step 8: the gate sweep hands the passed release to the deploy; the run plays ECS's completion of its rollout. */
    private void productionDeploy(ReleaseKey release) throws StepFailed {
        String name = "production deploy";
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(aws.dynamo(), aws.table());
        Release deployed = await(8, name, settings.stepTimeout(), () -> releases.history(release.service(), release.environment()).stream()
                        .filter(r -> r.key().equals(release) && r.status() == ReleaseStatus.SERVICE_UPDATED)
                        .findFirst(),
                () -> release.id() + " was not deployed; the gate stands at " + gateRecord(release).map(r -> r.status() + ": " + r.reason()
                        + (r.handoff() == null ? "" : "; hand-off: " + r.handoff())).orElse("nothing"));
        TaskDefinitionSnapshot running = functions.ecs.describeTaskDefinition(null, deployed.taskDefinitionArn());
        // ECS ends a rollout minutes after the deploy began, long after the sweep told the thread so; played sooner, the
        // thread would hear of the end before the start.
        ThreadKey thread = ThreadKey.release(release.service(), release.digest());
        DynamoDbReleaseThreads threads = new DynamoDbReleaseThreads(aws.dynamo(), aws.table());
        await(8, name, settings.stepTimeout(), () -> threads.find(thread).map(t -> t.state().headline().text())
                        .filter(headline -> headline.endsWith("Deploying to " + release.environment())
                                || headline.endsWith("Rolling out to " + release.environment())),
                () -> "the thread of " + thread.describe() + " was not told of the deploy to " + release.environment());
        JsonNode followed = followRollout(plan.gated(), running.arn(), deployed.previousTaskDefinitionArn(), false);
        String rollout = "rollout " + followed.path("deployment").asText("") + " " + followed.path("status").asText() + " ("
                + followed.path("reason").asText() + ")";
        if (!"COMPLETED".equals(followed.path("status").asText())) {
            throw failed(8, name, plan.service().name() + " " + plan.gated().name() + " deployed, but its " + rollout);
        }
        step(8, name, plan.service().name() + " " + plan.gated().name() + " DEPLOYED by the gate sweep: task definition " + running.family()
                + ":" + running.revision());
        deployed.changes().forEach(change -> detail("change " + change));
        detail(rollout);
    }

    /** Step 9: the thread in Slack shows the release done everywhere. */
    private void threadComplete(ThreadKey thread) throws StepFailed {
        String name = "release thread complete";
        DynamoDbReleaseThreads threads = new DynamoDbReleaseThreads(aws.dynamo(), aws.table());
        StoredThread complete = await(9, name, settings.stepTimeout(), () -> threads.find(thread)
                        .filter(t -> t.state().status() == ReleaseThread.Status.SUCCEEDED && t.delivered()),
                () -> "the thread of " + thread.describe() + " is " + threads.find(thread)
                        .map(t -> t.state().status() + (t.delivered() ? "" : ", not all of it in Slack yet")).orElse("not there"));
        SlackWorkspace.Message headline = slack.workspace().find(m -> m.ts().equals(complete.headlineTs())).orElseThrow();
        long replies = slack.workspace().messages().stream().filter(m -> headline.ts().equals(m.threadTs())).count();
        step(9, name, "#" + slack.workspace().channel(headline.channelId()).name() + " \"" + headline.text() + "\" (" + replies + " replies, "
                + headline.edits() + " updates in place)");
    }

    /**
     * Plays ECS's part after a deploy: the new revision's deployment completes (or fails and is rolled back to
     * {@code previousArn}), and ECS's event for it goes through rollout-follow.
     *
     * @return rollout-follow's outcome, with the deployment's id added as {@code deployment}
     */
    private JsonNode followRollout(EnvironmentConfig environment, String taskDefinitionArn, String previousArn, boolean rollBack)
            throws StepFailed {
        EcsServiceRef service = EcsServiceRef.of(environment);
        Instant now = clock.instant();
        String deploymentId = "ecs-svc/local-" + (++deployments);
        ObjectNode event;
        if (rollBack) {
            String rollbackId = "ecs-svc/local-" + (++deployments);
            functions.ecsDeployments.given(service,
                    new EcsDeploymentState(deploymentId, EcsDeploymentState.Status.ACTIVE, taskDefinitionArn, EcsDeploymentState.RolloutState.FAILED,
                            "ECS deployment circuit breaker: task failed to start.", 1, 0, 0, 2, now, now),
                    new EcsDeploymentState(rollbackId, EcsDeploymentState.Status.PRIMARY, previousArn, EcsDeploymentState.RolloutState.IN_PROGRESS,
                            "ECS deployment circuit breaker: rolling back to deploymentId " + deploymentId + ".", 1, 0, 1, 0, now, now));
            functions.ecs.updateService(service, previousArn);
            event = event(DEPLOYMENT_ROLLED_BACK_SAMPLE);
        } else {
            functions.ecsDeployments.given(service, new EcsDeploymentState(deploymentId, EcsDeploymentState.Status.PRIMARY, taskDefinitionArn,
                    EcsDeploymentState.RolloutState.COMPLETED, "ECS deployment " + deploymentId + " completed.", 1, 0, 1, 0, now, now));
            event = event(DEPLOYMENT_COMPLETED_SAMPLE);
            ((ObjectNode) event.path("detail")).put("reason", "ECS deployment " + deploymentId + " completed.");
        }
        event.put("account", service.account()).put("region", service.region());
        event.putArray("resources").add("arn:aws:ecs:" + service.region() + ":" + service.account() + ":service/" + service.cluster() + "/"
                + service.service());
        ((ObjectNode) event.path("detail")).put("deploymentId", deploymentId).put("updatedAt", now.truncatedTo(ChronoUnit.SECONDS).toString());
        int step = environment.equals(plan.first()) ? 5 : 8;
        JsonNode report = invoke(step, step == 5 ? "rollout completes" : "production deploy", functions.rolloutFollow, "gantry-rollout-follow", event);
        JsonNode outcome = report.path("outcomes").path(0);
        if (!outcome.isObject()) {
            throw failed(step, step == 5 ? "rollout completes" : "production deploy", "rollout-follow recorded nothing: " + report);
        }
        return ((ObjectNode) outcome.deepCopy()).put("deployment", deploymentId);
    }

    private JsonNode outcome(JsonNode report, EnvironmentConfig environment) {
        for (JsonNode outcome : report.path("outcomes")) {
            if (outcome.path("service").asText().equals(plan.service().name()) && outcome.path("environment").asText().equals(environment.name())) {
                return outcome;
            }
        }
        return null;
    }

    private Optional<GateRecord> gateRecord(ReleaseKey release) {
        return new DynamoDbGateStore(aws.dynamo(), aws.table()).find(release);
    }

    private static Optional<String> approveButtonValue(SlackWorkspace.Message message) {
        for (JsonNode block : message.blocks()) {
            for (JsonNode element : block.path("elements")) {
                if (element.path("action_id").asText().equals(ApprovalCards.GATE_APPROVE)) {
                    return Optional.of(element.path("value").asText());
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> blockOf(SlackWorkspace.Message message, String actionId) {
        for (JsonNode block : message.blocks()) {
            for (JsonNode element : block.path("elements")) {
                if (element.path("action_id").asText().equals(actionId)) {
                    return Optional.of(block.path("block_id").asText());
                }
            }
        }
        return Optional.empty();
    }

    private static String headerOf(SlackWorkspace.Message message) {
        for (JsonNode block : message.blocks()) {
            if (block.path("type").asText().equals("header")) {
                return block.path("text").path("text").asText();
            }
        }
        return message.text();
    }

    private ObjectNode buildSucceeded(String project, String buildId) {
        ObjectNode event = event(BUILD_SUCCEEDED_SAMPLE);
        String arn = "arn:aws:codebuild:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":build/" + buildId;
        event.putArray("resources").add(arn);
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("project-name", project).put("build-id", arn);
        return event;
    }

    private ObjectNode pipelineSucceeded(String pipeline, String executionId) {
        ObjectNode event = event(PIPELINE_SUCCEEDED_SAMPLE);
        event.putArray("resources").add("arn:aws:codepipeline:" + LocalAws.REGION + ":" + LocalAws.ACCOUNT + ":" + pipeline);
        ((ObjectNode) event.path("detail")).put("pipeline", pipeline).put("execution-id", executionId);
        return event;
    }

    /** A sample event from {@code events/} as AWS would send it now: a new id and the current time. */
    private ObjectNode event(String sample) {
        try {
            ObjectNode event = (ObjectNode) JSON.readTree(events.resolve(sample).toFile());
            return event.put("id", UUID.randomUUID().toString()).put("time", clock.instant().truncatedTo(ChronoUnit.SECONDS).toString());
        } catch (IOException e) {
            throw new IllegalStateException("the sample event " + events.resolve(sample) + " cannot be read: " + e.getMessage(), e);
        }
    }

    private JsonNode invoke(int step, String name, RequestStreamHandler handler, String function, ObjectNode event) throws StepFailed {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(JSON.writeValueAsBytes(event)), answer, new LocalContext(function, 60_000));
            return JSON.readTree(answer.toByteArray());
        } catch (IOException | RuntimeException e) {
            throw failed(step, name, function + " failed: " + e.getMessage());
        }
    }

    private <T> T await(int step, String name, Duration timeout, Supplier<Optional<T>> condition, Supplier<String> whyNot) throws StepFailed {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Optional<T> met = condition.get();
            if (met.isPresent()) {
                return met.get();
            }
            if (System.nanoTime() > deadline) {
                throw failed(step, name, "not within " + timeout.toSeconds() + " s: " + whyNot.get());
            }
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed(step, name, "interrupted");
            }
        }
    }

    /** What {@code condition} gives within {@code timeout}; empty when it gives nothing. */
    private static <T> Optional<T> awaitQuietly(Duration timeout, Supplier<Optional<T>> condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<T> met = condition.get();
        while (met.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(POLL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            met = condition.get();
        }
        return met;
    }

    private void step(int number, String name, String detail) {
        stepsDone = number;
        out.printf("  [%5.1fs] %d. %s: %s%n", seconds(), number, name, detail);
    }

    private void detail(String line) {
        out.println(INDENT + line);
    }

    private StepFailed failed(int number, String name, String why) {
        out.printf("  [%5.1fs] %d. %s: FAILED: %s%n", seconds(), number, name, why);
        return new StepFailed(why);
    }

    private double seconds() {
        return (System.nanoTime() - startedAt) / 1e9;
    }

    private static String shortDigest(String digest) {
        return digest.length() > "sha256:".length() + 12 ? digest.substring(0, "sha256:".length() + 12) : digest;
    }
}
