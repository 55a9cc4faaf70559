package dev.gantry.reliability.fuzzing;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.ServiceRevisions;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.fn.chatops.HandlersFromParts;
import dev.gantry.fn.interactions.InteractionsHandlers;
import dev.gantry.fn.interactions.SlackInteractionsHandler;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.fn.ecsdeploy.GateSweepHandler;
import dev.gantry.fn.ecsdeploy.PipelineDeployHandler;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.fn.imagerebuild.ImageRebuildHandler;
import dev.gantry.fn.releasegate.EcsHookHandler;
import dev.gantry.fn.releasegate.PipelineGateHandler;
import dev.gantry.reliability.fuzzing.GantryLogEvents.Logged;
import dev.gantry.slack.MalformedSlackPayloadException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryAuditLog;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryChatRequestLedger;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsDeployments;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryLineageHistory;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.InMemoryReleaseThreads;
import dev.gantry.testing.InMemoryRevokedBases;
import dev.gantry.testing.InMemoryServiceRevisions;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.RecordingChatGateway;
import dev.gantry.testing.RecordingNotifier;
import dev.gantry.testing.RecordingPipelineApprovals;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every Gantry handler an event can reach, wired to the in-memory fakes of {@code gantry-testing} the way its function
 * wires the real adapters, over a world built afresh for each delivery (so one mutation replays alone); the Slack
 * endpoint, which can only be built with its own AWS client, hands its requests to a loopback SQS. Each delivery is
 * judged: accepted, rejected with a reason, or unhandled, which includes an exception a handler caught and logged
 * instead of letting it through.
 */
final class FuzzedHandlers implements AutoCloseable {

    /** Where a mutated event can be sent. */
    enum Handler {
        ECS_DEPLOY, IMAGE_REBUILD, PIPELINE_DEPLOY, PIPELINE_GATE, ROLLOUT, ECS_HOOK, GATE_SWEEP, CHATOPS_NOTIFY, SLACK_INTERACTIONS,
        CHATOPS_WORKER
    }

    /** What the Slack endpoint answered, and the bodies it handed to the worker's queue. */
    record SlackDelivery(Outcome outcome, List<String> queued) {}

    static final String SIGNING_SECRET = "test-signing-secret-not-real";
    static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    /** The project's own validation errors: what a handler may throw for an event it cannot act on. */
    private static final Set<Class<? extends RuntimeException>> VALIDATION_ERRORS = Set.of(MalformedEventException.class,
            MalformedSlackPayloadException.class, ReleaseNewsJson.MalformedNewsException.class, ImageDigest.InvalidDigestException.class);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "111111111111";
    private static final String REGION = "eu-west-1";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com";
    /** The people of the Slack samples: the slash command's and the button click's. */
    private static final List<String> SLACK_USERS = List.of("U0ALICE01", "U0BOB00001");

    private final GantryConfig config = slackReadyConfig();
    private final LoopbackSqs sqs = new LoopbackSqs();
    private final ByteArrayOutputStream ackLog = new ByteArrayOutputStream();
    /** The endpoint as its wiring builds it, but for the signing secret, given as is, and its queue on {@link #sqs}. */
    private final SlackInteractionsHandler interactions = InteractionsHandlers.fromParts(
            Map.of("AWS_REGION", REGION, "AWS_ACCESS_KEY_ID", "testaccesskey", "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                    "AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString()),
            () -> SIGNING_SECRET, LoopbackSqs.QUEUE_URL, new PrintStream(ackLog, true, StandardCharsets.UTF_8), MutableClock.at(NOW.toString()));

    private final ImageDigest releaseDigest;
    private final byte[] releaseArtifact = PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG);
    private final List<S3Object> jobArtifacts = new ArrayList<>();
    private final List<HookRevision> hookRevisions = new ArrayList<>();
    private final List<String> deploymentIds = new ArrayList<>();
    private final GantryLogEvents logs;

    private record S3Object(String bucket, String key) {}

    private record HookRevision(String revisionArn, String serviceArn) {}

    /**
     * @param jobSamples pipeline jobs whose input artifacts are in place, holding the release's image definitions
     * @param hookSamples lifecycle hooks whose target revisions ECS describes as running the release
     * @param deploymentSamples deployment events whose deployments ECS lists for the staging service
     */
    FuzzedHandlers(List<String> jobSamples, List<String> hookSamples, List<String> deploymentSamples) {
        releaseDigest = new ImageDigest(sample("gantry-ecr-push-payments-api-1.4.0.json").at("/detail/image-digest").asText());
        for (String job : jobSamples) {
            for (JsonNode artifact : sample(job).at("/CodePipeline.job/data/inputArtifacts")) {
                jobArtifacts.add(new S3Object(artifact.at("/location/s3Location/bucketName").asText(),
                        artifact.at("/location/s3Location/objectKey").asText()));
            }
        }
        for (String hook : hookSamples) {
            JsonNode payload = sample(hook);
            JsonNode details = payload.path("executionDetails").isObject() ? payload.path("executionDetails") : payload;
            hookRevisions.add(new HookRevision(details.path("targetServiceRevisionArn").asText(), details.path("serviceArn").asText()));
        }
        for (String deployment : deploymentSamples) {
            deploymentIds.add(sample(deployment).at("/detail/deploymentId").asText());
        }
        // Last, so that nothing above failing leaves the functions' own log appenders displaced.
        logs = GantryLogEvents.capture();
    }

    /**
     * The example configuration, answering the workspace and app of the Slack samples and letting their users run every
     * command, so that a mutated command gets past the workspace and permission checks to the parser and the services.
     */
    private static GantryConfig slackReadyConfig() {
        String example = readExample();
        String slack = "slack:\n  defaultChannel: \"#releases\"\n";
        String everyone = "[" + String.join(", ", SLACK_USERS) + "]";
        String workspace = slack + "  teamId: T0GANTRY1\n  appId: A0GANTRY1\n  permissions:\n    rebuild: " + everyone
                + "\n    pipelineApprovals: " + everyone + "\n";
        Matcher environments = Pattern.compile("(?m)^(        service: [a-z-]+\n)").matcher(example.replace(slack, workspace));
        String permitted = environments.replaceAll("$1        permissions: {deploy: " + everyone + ", rollback: " + everyone + ", pin: "
                + everyone + ", veto: " + everyone + ", freeze: " + everyone + "}\n");
        GantryConfig config = ConfigLoader.parse(permitted, "gantry.yml (example, Slack-ready)");
        long environmentsPermitted = config.services().stream().flatMap(s -> s.environments().stream()).count();
        if (!example.contains(slack) || permitted.split("        permissions: ", -1).length - 1 != environmentsPermitted) {
            throw new IllegalStateException("examples/gantry.yml changed shape: its slack section or environments were not found");
        }
        return config;
    }

    private static String readExample() {
        try {
            return Files.readString(Fixtures.exampleConfigFile(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends {@code event} to {@code handler}, with {@code artifact} (a ZIP) as every pipeline job's input artifact when not null. */
    Outcome deliver(Handler handler, byte[] event, byte[] artifact) {
        World world = new World(artifact);
        return switch (handler) {
            case ECS_DEPLOY -> run(new EcsDeployHandler(world.deploys, world.news()), event, FuzzedHandlers::returned);
            case IMAGE_REBUILD -> run(new ImageRebuildHandler(world.rebuilds, image -> image, world.notifier, world.clock), event,
                    FuzzedHandlers::returned);
            case PIPELINE_DEPLOY -> run(new PipelineDeployHandler(new PipelineDeployService(config, world.deploys, world.artifacts,
                    world.registry, world.jobs, world.jobLedger, world.clock), world.news()), event, world::jobResult);
            case PIPELINE_GATE -> run(new PipelineGateHandler(new PipelineGateService(config, world.gates, world.artifacts, world.registry,
                    world.jobs, world.jobLedger, world.clock)), event, world::jobResult);
            case ROLLOUT -> run(new RolloutHandler(new RolloutService(config, world.deployments, world.releases, world.controls,
                    world.clock), world.news()), event, FuzzedHandlers::returned);
            case ECS_HOOK -> run(new EcsHookHandler(new EcsHookGateService(config, world.gates, world.revisions, world.clock)), event,
                    FuzzedHandlers::hookAnswer);
            case GATE_SWEEP -> run(new GateSweepHandler(new GateSweepService(world.gates, world.deploys)), event, FuzzedHandlers::returned);
            case CHATOPS_NOTIFY -> run(world.notifyHandler(), event, FuzzedHandlers::returned);
            case CHATOPS_WORKER -> run(HandlersFromParts.worker(world.chatOps(), world.chat), event, FuzzedHandlers::workerAnswer);
            case SLACK_INTERACTIONS -> deliverToSlack(event).outcome();
        };
    }

    /** Sends a Function URL event to the Slack endpoint. */
    SlackDelivery deliverToSlack(byte[] functionUrlEvent) {
        sqs.drain();
        ackLog.reset();
        Outcome outcome = run(interactions, functionUrlEvent, (answer, logged) -> ackAnswer(answer));
        return new SlackDelivery(outcome, sqs.drain());
    }

    /** An SQS batch of one, as Lambda hands the worker a message of the request queue. */
    static byte[] queued(String body) {
        ObjectNode batch = JSON.createObjectNode();
        batch.putArray("Records").addObject().put("messageId", "m-1").put("body", body).put("eventSource", "aws:sqs");
        return batch.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        sqs.close();
        logs.close();
    }

    /** The fakes one delivery runs on: services running, a quiet alarm, the release's tag and artifacts in place. */
    private final class World {
        final MutableClock clock = MutableClock.at(NOW.toString());
        final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        final InMemoryReleaseStore releases = new InMemoryReleaseStore();
        final InMemoryDeployControls controls = new InMemoryDeployControls();
        final InMemoryGateStore gateStore = new InMemoryGateStore();
        final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
        final InMemoryImageRegistry registry = new InMemoryImageRegistry();
        final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
        final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
        final InMemoryJobLedger jobLedger = new InMemoryJobLedger();
        final InMemoryServiceRevisions revisions = new InMemoryServiceRevisions();
        final InMemoryEcsDeployments deployments = new InMemoryEcsDeployments();
        final InMemoryRebuildLedger rebuildLedger = new InMemoryRebuildLedger();
        final InMemoryPendingApprovals pendingApprovals = new InMemoryPendingApprovals();
        final RecordingNotifier notifier = new RecordingNotifier();
        final RecordingChatGateway chat = new RecordingChatGateway();
        final GateService gates;
        final DeployService deploys;
        final RebuildService rebuilds;

        World(byte[] artifact) {
            for (ServiceConfig service : config.services()) {
                for (EnvironmentConfig environment : service.environments()) {
                    ecs.givenService(EcsServiceRef.of(environment), service.name() + "-" + environment.name(), List.of(
                            new ContainerImage("app", REGISTRY + "/" + service.repository() + ":1.3.0")));
                }
            }
            EcsServiceRef staging = EcsServiceRef.of(config.services().get(0).environments().get(0));
            for (String id : deploymentIds) {
                deployments.given(staging, new EcsDeploymentState(id, EcsDeploymentState.Status.PRIMARY,
                        "arn:aws:ecs:" + REGION + ":" + ACCOUNT + ":task-definition/payments-api-staging:42",
                        EcsDeploymentState.RolloutState.IN_PROGRESS, "ECS deployment " + id + " in progress.", 2, 1, 1, 0, null, null));
            }
            alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, NOW.minus(Duration.ofHours(2)));
            registry.givenTag(REGISTRY + "/payments-api:1.4.0", releaseDigest);
            registry.givenTag(REGISTRY + "/golden/java21:latest", releaseDigest);
            registry.givenTag(REGISTRY + "/runtime/java:latest", releaseDigest);
            byte[] zip = artifact != null ? artifact : releaseArtifact;
            jobArtifacts.forEach(object -> artifacts.givenArtifact(object.bucket(), object.key(), zip));
            for (HookRevision revision : hookRevisions) {
                revisions.givenRevision(revision.revisionArn(), revision.serviceArn(), List.of(
                        new ServiceRevisions.ContainerImage("app", REGISTRY + "/payments-api:1.4.0", releaseDigest.value())));
            }
            gates = new GateService(config, gateStore, releases, alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(),
                    ApproverGroups.none(), clock);
            deploys = new DeployService(config, ecs, releases, controls, clock).withGates(gates);
            rebuilds = new RebuildService(config, rebuildLedger, new InMemoryBuildRunner(), new InMemoryImageLabels(), registry, ACCOUNT,
                    REGION, clock, new InMemoryRevokedBases(), controls, new InMemoryLineageHistory());
        }

        DeployNews news() {
            return new DeployNews(config, releases, notifier, clock);
        }

        RequestStreamHandler notifyHandler() {
            return HandlersFromParts.notify(new NotifyService(new InMemoryReleaseThreads(), chat, config.slack(), clock), rebuildLedger,
                    new AlarmThreads(config, gateStore, "Gantry-"), approvals(), gateStore,
                    new EndedApprovals(config, pendingApprovals, gateStore, chat, new ChatPermissions(config, ApproverGroups.none())));
        }

        ChatOpsService chatOps() {
            return ChatOpsService.builder()
                    .config(config)
                    .clock(clock)
                    .ledger(new InMemoryChatRequestLedger())
                    .audit(new InMemoryAuditLog())
                    .deploys(deploys)
                    .controls(controls)
                    .releases(releases)
                    .registry(registry)
                    .rebuilds(rebuilds)
                    .gates(gates, gateStore)
                    .freezes(new InMemoryManualFreezes())
                    .pendingApprovals(pendingApprovals)
                    .pipelineApprovals(new RecordingPipelineApprovals())
                    .build();
        }

        private ApprovalRequests approvals() {
            return new ApprovalRequests(config, pendingApprovals, chat, new ChatPermissions(config, ApproverGroups.none()), clock);
        }

        /** A pipeline job's failure is its rejection, in words for the pipeline's author. */
        Outcome jobResult(byte[] answer, List<Logged> logged) {
            Optional<JobResult> last = jobs.puts().stream().map(InMemoryPipelineJobs.Put::result).reduce((first, second) -> second);
            if (last.isPresent() && last.get() instanceof JobResult.Failed failed) {
                return failed.message().isBlank() ? Outcome.unhandled("job failed without a message", null) : Outcome.refused(failed.message());
            }
            return Outcome.accepted();
        }
    }

    /**
     * Runs one handler on one event and judges it: an exception that leaves the handler must be a validation error, an
     * exception logged by a handler that carried on must be one of Gantry's own (a JDK or Jackson exception there is a
     * crash that was hidden), and what the handler answered is judged by {@code answered}.
     */
    private Outcome run(RequestStreamHandler handler, byte[] event, BiFunction<byte[], List<Logged>, Outcome> answered) {
        logs.drain();
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        Outcome outcome;
        try {
            handler.handleRequest(new ByteArrayInputStream(event), answer, new LocalContext("gantry-fuzzing", 60_000));
            List<Logged> logged = logs.drain();
            Optional<Logged> hidden = logged.stream().filter(line -> line.thrown() != null && !isGantrys(line.thrown())).findFirst();
            outcome = hidden.isPresent()
                    ? Outcome.unhandled("logged and carried on: " + abbreviated(hidden.get().message()), hidden.get().thrown())
                    : answered.apply(answer.toByteArray(), logged);
        } catch (Throwable thrown) {
            logs.drain();
            outcome = thrownOutcome(thrown);
        }
        return outcome;
    }

    private static Outcome thrownOutcome(Throwable thrown) {
        if (VALIDATION_ERRORS.stream().anyMatch(type -> type.isInstance(thrown))) {
            String message = thrown.getMessage();
            return message == null || message.isBlank() ? Outcome.unhandled("validation error without a message", thrown)
                    : Outcome.invalid(message);
        }
        return Outcome.unhandled(thrown.getClass().getName() + ": " + abbreviated(String.valueOf(thrown.getMessage())), thrown);
    }

    private static boolean isGantrys(Throwable thrown) {
        return thrown.getClass().getName().startsWith("dev.gantry.");
    }

    private static Outcome returned(byte[] answer, List<Logged> logged) {
        return Outcome.accepted();
    }

    /** ECS rolls back on FAILED: a payload the hook rejects must say why in its log line. */
    private static Outcome hookAnswer(byte[] answer, List<Logged> logged) {
        String status = readAnswer(answer).path("hookStatus").asText();
        Optional<Logged> undecided = logged.stream().filter(line -> line.message().contains("could not be decided now")).findFirst();
        if (undecided.isPresent()) {
            return Outcome.unhandled("answered IN_PROGRESS over a fault: " + abbreviated(undecided.get().message()), undecided.get().thrown());
        }
        if ("FAILED".equals(status)) {
            Optional<Logged> rejected = logged.stream()
                    .filter(line -> line.message().startsWith("lifecycle hook payload rejected") || line.message().contains("cannot be gated"))
                    .findFirst();
            if (rejected.isPresent()) {
                String message = rejected.get().message();
                return Outcome.invalid(message.substring(message.indexOf("FAILED: ") + "FAILED: ".length()));
            }
        }
        if (!Set.of("SUCCEEDED", "FAILED", "IN_PROGRESS").contains(status)) {
            return Outcome.unhandled("answered hookStatus '" + status + "'", null);
        }
        return Outcome.accepted();
    }

    /** A message the worker could not act on goes back to the queue (and on to its dead-letter queue) with a logged reason. */
    private static Outcome workerAnswer(byte[] answer, List<Logged> logged) {
        JsonNode failures = readAnswer(answer).path("batchItemFailures");
        if (!failures.isArray()) {
            return Outcome.unhandled("answered without batchItemFailures", null);
        }
        if (failures.isEmpty()) {
            return Outcome.accepted();
        }
        Optional<Logged> notHandled = logged.stream().filter(line -> line.message().startsWith("Slack request") && line.thrown() != null)
                .findFirst();
        return notHandled.map(line -> thrownOutcome(line.thrown()))
                .orElseGet(() -> Outcome.unhandled("reported a failure without logging why", null));
    }

    /** The endpoint answers in HTTP: 200 once queued, a 4xx with a reason for what it will not take, 500 only for its own faults. */
    private Outcome ackAnswer(byte[] answer) {
        JsonNode response = readAnswer(answer);
        int status = response.path("statusCode").asInt();
        if (status == 200) {
            return Outcome.accepted();
        }
        String error = readAnswer(response.path("body").asText().getBytes(StandardCharsets.UTF_8)).path("error").asText();
        if (status >= 400 && status < 500 && !error.isBlank()) {
            String logged = ackLog.toString(StandardCharsets.UTF_8);
            return Outcome.refused(status + " " + error + (logged.isBlank() ? "" : " (" + abbreviated(logged.strip()) + ")"));
        }
        return Outcome.unhandled("answered " + status + " " + error + ": " + abbreviated(ackLog.toString(StandardCharsets.UTF_8)), null);
    }

    private static JsonNode readAnswer(byte[] answer) {
        try {
            JsonNode tree = JSON.readTree(answer);
            return tree == null ? JSON.missingNode() : tree;
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }

    private static JsonNode sample(String name) {
        return JsonMutations.read(Fixtures.eventText(name));
    }

    /** {@code text} cut to a few hundred characters, anything but printable ASCII escaped: reports are read in a terminal. */
    static String abbreviated(String text) {
        String cut = text.length() <= 300 ? text : text.substring(0, 300);
        StringBuilder printable = new StringBuilder(cut.length());
        for (char c : cut.toCharArray()) {
            if (c >= 0x20 && c < 0x7F) {
                printable.append(c);
            } else {
                printable.append(String.format("\\u%04X", (int) c));
            }
        }
        return text.length() <= 300 ? printable.toString() : printable + "... (" + text.length() + " characters)";
    }
}
