package dev.gantry.fn.releasegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.ServiceRevisions.ContainerImage;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.GateNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.GateDecided;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.InMemoryServiceRevisions;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.RecordingNotifier;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the release-gate functions tell the release threads, over in-memory adapters and the sample events: the gate
 * service they are wired with tells every gate record it writes.
 */
class ReleaseGateNewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GATE_JOB_EVENT = "gantry-codepipeline-job-payments-api-prod-gate.json";
    private static final String HOOK_EVENT = "gantry-ecs-lifecycle-hook-payments-api-prod.json";
    private static final ImageDigest DIGEST = new ImageDigest(LoopbackAws.DIGEST);
    private static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "prod", DIGEST);
    private static final ThreadKey THREAD = ThreadKey.release("payments-api", DIGEST);

    private final GantryConfig config = LoopbackAws.gatedConfig();
    private final MutableClock clock = MutableClock.at("2026-03-04T10:00:00Z");
    private final InMemoryGateStore gateRecords = new InMemoryGateStore();
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
    private final InMemoryServiceRevisions revisions = new InMemoryServiceRevisions();
    private final RecordingNotifier notifier = new RecordingNotifier();
    /** Records decisions as Slack will: another function's gate service over the same records, telling nothing here. */
    private final GateService approvers = gateService();

    @BeforeEach
    void givenTheReleaseAndAQuietAlarm() {
        alarms.givenAlarm(LoopbackAws.ALARM, AlarmStates.State.OK, clock.instant().minus(Duration.ofHours(2)));
        artifacts.givenArtifact(LoopbackAws.ARTIFACT_BUCKET, LoopbackAws.PROD_ARTIFACT_KEY,
                PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        registry.givenTag(LoopbackAws.REGISTRY + "/payments-api:1.4.0", DIGEST);
        revisions.givenRevision(LoopbackAws.PROD_REVISION_ARN, LoopbackAws.PROD_SERVICE_ARN, List.of(
                new ContainerImage("app", LoopbackAws.REGISTRY + "/payments-api:1.4.0", LoopbackAws.DIGEST),
                new ContainerImage("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4",
                        "sha256:5b2c1a9e0f3d4c7b8a6e9d1f2c3b4a5e6d7c8b9a0f1e2d3c4b5a697887766554")));
    }

    @Test
    void tellsTheThreadOfTheReleaseAGateJobLeftWaitingForApprovals() throws Exception {
        JsonNode answer = invoke(pipelineGate(notifier), GATE_JOB_EVENT);

        assertThat(answer.at("/outcome").asText()).isEqualTo("CONTINUED");
        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(GateChanged.class, gate -> {
            assertThat(gate.thread()).isEqualTo(THREAD);
            assertThat(gate.environment()).isEqualTo("prod");
            assertThat(gate.gate()).isEqualTo("production");
            assertThat(gate.tag()).isEqualTo("1.4.0");
            assertThat(gate.status()).isEqualTo(GateStatus.WAITING);
            assertThat(gate.reason()).isEqualTo("waiting for approvals: 0 of 2 approvals");
            assertThat(gate.approvals()).isZero();
            assertThat(gate.approvalsRequired()).isEqualTo(2);
            assertThat(gate.evidence()).anySatisfy(line -> assertThat(line).startsWith("alarms PASS"));
            assertThat(gate.at()).isEqualTo(clock.instant());
        });
    }

    @Test
    void tellsTheThreadThatTheHooksReleasePassedAndWhoApprovedIt() throws Exception {
        EcsHookHandler handler = ecsHook(notifier);
        invoke(handler, HOOK_EVENT);
        clock.advance(Duration.ofMinutes(5));
        // The approvals land while CloudWatch cannot answer, so the gate passes at the hook's own look, not at Slack's.
        alarms.failWith("CloudWatch DescribeAlarms was throttled");
        approvers.decide(RELEASE, new Approval("U0EXAMPLE1", clock.instant(), DIGEST, Approval.Decision.APPROVE, null));
        approvers.decide(RELEASE, new Approval("U0EXAMPLE3", clock.instant(), DIGEST, Approval.Decision.APPROVE, "canary clean"));
        alarms.recover();
        clock.advance(Duration.ofMinutes(5));

        JsonNode answer = invoke(handler, HOOK_EVENT);

        assertThat(answer.at("/hookStatus").asText()).isEqualTo("SUCCEEDED");
        assertThat(notifier.told()).extracting(ReleaseNews::getClass)
                .containsExactly(GateChanged.class, GateDecided.class, GateDecided.class, GateChanged.class);
        assertThat(notifier.told()).extracting(ReleaseNews::thread).containsOnly(THREAD);
        assertThat(notifier.told(GateChanged.class)).extracting(GateChanged::status).containsExactly(GateStatus.WAITING, GateStatus.PASSED);
        assertThat(notifier.told(GateChanged.class).getLast().approvals()).isEqualTo(2);
        assertThat(notifier.told(GateDecided.class)).extracting(GateDecided::by, GateDecided::comment)
                .containsExactly(tuple("U0EXAMPLE1", null),
                        tuple("U0EXAMPLE3", "canary clean"));
    }

    @Test
    void tellsNothingWhenEcsAsksAgainBeforeTheGateIsDue() throws Exception {
        EcsHookHandler handler = ecsHook(notifier);
        invoke(handler, HOOK_EVENT);
        clock.advance(Duration.ofSeconds(30));

        JsonNode again = invoke(handler, HOOK_EVENT);

        assertThat(again.at("/hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(alarms.calls()).as("not due: the stored answer, nothing written").isEqualTo(1);
        assertThat(notifier.told()).singleElement().isInstanceOf(GateChanged.class);
    }

    @Test
    void aNotifierThatFailsDoesNotChangeTheGatesAnswer() throws Exception {
        Notifier unreachable = news -> {
            throw new IllegalStateException("notify queue unreachable");
        };

        JsonNode answer = invoke(pipelineGate(unreachable), GATE_JOB_EVENT);

        assertThat(answer.at("/outcome").asText()).isEqualTo("CONTINUED");
        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result().message())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 is waiting: waiting for approvals: 0 of 2 approvals"));
        assertThat(gateRecords.find(RELEASE).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
    }

    @Test
    void tellsNothingWithoutANotifyQueue() {
        String queue = LoopbackAws.NOTIFY_QUEUE;
        GateService gates = gateService();

        Notifier unconfigured = ReleaseGateWiring.notifier(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1")));
        Notifier configured = ReleaseGateWiring.notifier(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1",
                SqsNotifier.QUEUE_URL_ENV, queue)));

        assertThat(unconfigured).isSameAs(Notifier.NONE);
        assertThat(GateNews.toldThrough(gates, unconfigured)).as("no listener to call on every write").isSameAs(gates);
        assertThat(configured).isInstanceOf(SqsNotifier.class);
        assertThat(GateNews.toldThrough(gates, configured)).isNotSameAs(gates);
    }

    private GateService gateService() {
        return new GateService(config, gateRecords, new InMemoryReleaseStore(), alarms, new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    }

    private PipelineGateHandler pipelineGate(Notifier told) {
        return new PipelineGateHandler(new PipelineGateService(config, GateNews.toldThrough(gateService(), told), artifacts, registry,
                jobs, new InMemoryJobLedger(), clock));
    }

    private EcsHookHandler ecsHook(Notifier told) {
        return new EcsHookHandler(new EcsHookGateService(config, GateNews.toldThrough(gateService(), told), revisions, clock));
    }

    private static JsonNode invoke(RequestStreamHandler handler, String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-release-gate", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
