package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.GateDecided;
import dev.gantry.core.notify.ReleaseNews.RolloutChanged;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsDeployments;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.RecordingNotifier;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the deploy jar's handlers tell the release threads after their work, over in-memory adapters and the sample events. */
class DeployNewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final ImageDigest PREVIOUS = new ImageDigest("sha256:" + "5e".repeat(32));
    private static final ThreadKey THREAD = ThreadKey.release("payments-api", DIGEST);
    private static final String LOG_ROUTER = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";
    /** The deployment the sample {@code gantry-ecs-deployment-completed-payments-api-staging.json} names. */
    private static final String DEPLOYMENT = "ecs-svc/3056462518204391731";

    /** payments-api with prod behind one alarm and one approval. */
    private static final GantryConfig GATED = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
            gates:
              - name: production
                alarms: { names: [payments-api-5xx] }
                approvals: { required: 1, users: [U0AAAA002, U0AAAA003] }
            """, "gantry.yml");

    /** payments-api deploying to staging and prod alike on every push. */
    private static final GantryConfig UNGATED = ConfigLoader.parse("""
            version: 1
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111111111111", region: eu-west-1, cluster: prod, service: payments-api }
            """, "gantry.yml");

    private final GantryConfig config = Fixtures.exampleConfig();
    private final MutableClock clock = MutableClock.at("2026-11-24T10:00:00Z");
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final DeployNews news = new DeployNews(config, releases, notifier, clock);
    private final EcsServiceRef staging = EcsServiceRef.of(environment("staging"));
    private String stagingRunning;

    @BeforeEach
    void givenRunningServices() {
        stagingRunning = ecs.givenService(staging, "payments-api-staging", List.of(
                new ContainerImage("app", REGISTRY + "/payments-api:1.3.0"), new ContainerImage("log-router", LOG_ROUTER)));
        ecs.givenService(EcsServiceRef.of(environment("prod")), "payments-api-prod", List.of(
                new ContainerImage("app", REGISTRY + "/payments-api:1.3.0"), new ContainerImage("log-router", LOG_ROUTER)));
    }

    @Test
    void tellsTheDeployAPushStartedAndThatTheGatedEnvironmentHeldIt() throws Exception {
        EcsDeployHandler handler = new EcsDeployHandler(deployService(), news);

        invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json");

        Release deployed = releases.find(new ReleaseKey("payments-api", "staging", DIGEST)).orElseThrow();
        assertThat(notifier.told()).extracting(ReleaseNews::getClass).containsExactly(DeployStarted.class, DeployDeclined.class);
        DeployStarted started = notifier.told(DeployStarted.class).getFirst();
        assertThat(started.thread()).isEqualTo(THREAD);
        assertThat(started.newsId()).isEqualTo("deploy/payments-api/staging/07348c117739");
        assertThat(started.environment()).isEqualTo("staging");
        assertThat(started.tag()).isEqualTo("1.4.0");
        assertThat(started.taskDefinitionArn()).isEqualTo(deployed.taskDefinitionArn()).isNotEqualTo(stagingRunning);
        assertThat(started.previousTaskDefinitionArn()).isEqualTo(stagingRunning);
        assertThat(started.previousTag()).as("read from the change line: no release ran before").isEqualTo("1.3.0");
        assertThat(started.changes()).singleElement().asString().startsWith("app: payments-api:1.3.0 -> ");
        assertThat(started.account()).isEqualTo("111111111111");
        assertThat(started.region()).isEqualTo("eu-west-1");
        assertThat(started.cluster()).isEqualTo("staging");
        assertThat(started.ecsService()).isEqualTo("payments-api");
        assertThat(started.at()).isEqualTo(clock.instant());
        DeployDeclined held = notifier.told(DeployDeclined.class).getFirst();
        assertThat(held.thread()).isEqualTo(THREAD);
        assertThat(held.environment()).isEqualTo("prod");
        assertThat(held.result()).isEqualTo(DeployOutcome.Result.HELD);
        assertThat(held.reason()).contains("gate 'production'");
        assertThat(held.tag()).isEqualTo("1.4.0");
    }

    @Test
    void tellsTheDeployOfAnEnvironmentThatWorkedBeforeThePushFailsForAnotherAndNotAgainOnTheReplay() throws Exception {
        // given: both environments deploy on push, and prod's ECS service cannot be found
        InMemoryEcsGateway stagingOnly = new InMemoryEcsGateway();
        stagingOnly.givenService(staging, "payments-api-staging", List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        EcsDeployHandler handler = new EcsDeployHandler(new DeployService(UNGATED, stagingOnly, releases, controls, clock),
                new DeployNews(UNGATED, releases, notifier, clock));

        // when
        Throwable failure = catchThrowable(() -> invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json"));

        // then: the invocation still fails for the failure queue, and staging's thread has its deploy
        assertThat(failure).isInstanceOf(DeployService.DeployFailedException.class).hasMessageContaining("payments-api/prod");
        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(DeployStarted.class, started -> {
            assertThat(started.environment()).isEqualTo("staging");
            assertThat(started.tag()).isEqualTo("1.4.0");
        });

        // when: prod is repaired and the event replayed from the failure queue
        stagingOnly.givenService(EcsServiceRef.of(UNGATED.services().getFirst().environments().get(1)), "payments-api-prod",
                List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json");

        // then: prod's deploy is told, staging's not a second time
        assertThat(notifier.told(DeployStarted.class)).extracting(DeployStarted::environment).containsExactly("staging", "prod");
    }

    @Test
    void namesTheReleaseThatRanBeforeWhenItsRecordIsKnown() throws Exception {
        ReleaseKey before = new ReleaseKey("payments-api", "staging", PREVIOUS);
        releases.claim(Release.proposed(before, "1.3.0", REGISTRY + "/payments-api@" + PREVIOUS.value(), "push-1", "inv-0",
                clock.instant().plusSeconds(90), clock.instant()), clock.instant(), Duration.ofSeconds(90));
        releases.recordRegistered(before, "inv-0", "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:0",
                stagingRunning, List.of(), clock.instant());
        releases.recordServiceUpdated(before, "inv-0", clock.instant());
        clock.advance(Duration.ofHours(1));

        invoke(new EcsDeployHandler(deployService(), news), "gantry-ecr-push-payments-api-1.4.0.json");

        DeployStarted started = notifier.told(DeployStarted.class).getFirst();
        assertThat(started.previousTag()).isEqualTo("1.3.0");
        assertThat(started.previousDigest()).isEqualTo(PREVIOUS.value());
    }

    @Test
    void tellsTheDeployAPipelineJobCarriedOut() throws Exception {
        InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
        artifacts.givenArtifact("eu-west-1-111111111111-payments-api", "payments-api/BuildArtif/Gx7mPq2",
                PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        InMemoryImageRegistry registry = new InMemoryImageRegistry();
        registry.givenTag(REGISTRY + "/payments-api:1.4.0", DIGEST);
        PipelineDeployHandler handler = new PipelineDeployHandler(new PipelineDeployService(config, deployService(), artifacts, registry,
                new InMemoryPipelineJobs(), new InMemoryJobLedger(), clock), news);

        JsonNode answer = invoke(handler, "gantry-codepipeline-job-payments-api-staging.json");

        assertThat(answer.at("/outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(DeployStarted.class, started -> {
            assertThat(started.thread()).isEqualTo(THREAD);
            assertThat(started.environment()).isEqualTo("staging");
            assertThat(started.tag()).isEqualTo("1.4.0");
            assertThat(started.previousTaskDefinitionArn()).isEqualTo(stagingRunning);
            assertThat(started.taskDefinitionArn()).isEqualTo(releases.find(new ReleaseKey("payments-api", "staging", DIGEST))
                    .orElseThrow().taskDefinitionArn());
            assertThat(started.changes()).singleElement().asString().startsWith("app: payments-api:1.3.0 -> ");
            assertThat(started.cluster()).isEqualTo("staging");
        });
    }

    @Test
    void tellsHowARolloutTheDeployStartedEnded() throws Exception {
        invoke(new EcsDeployHandler(deployService()), "gantry-ecr-push-payments-api-1.4.0.json");
        String deployed = releases.find(new ReleaseKey("payments-api", "staging", DIGEST)).orElseThrow().taskDefinitionArn();
        InMemoryEcsDeployments deployments = new InMemoryEcsDeployments();
        deployments.given(staging, new EcsDeploymentState(DEPLOYMENT, EcsDeploymentState.Status.PRIMARY, deployed,
                EcsDeploymentState.RolloutState.COMPLETED, "ECS deployment " + DEPLOYMENT + " completed.", 2, 0, 2, 0, null, null));
        RolloutHandler handler = new RolloutHandler(new RolloutService(config, deployments, releases, controls, clock), news);

        invoke(handler, "gantry-ecs-deployment-completed-payments-api-staging.json");

        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(RolloutChanged.class, rollout -> {
            assertThat(rollout.thread()).isEqualTo(THREAD);
            assertThat(rollout.environment()).isEqualTo("staging");
            assertThat(rollout.status()).isEqualTo(RolloutStatus.COMPLETED);
            assertThat(rollout.reason()).isEqualTo("ECS deployment " + DEPLOYMENT + " completed.");
            assertThat(rollout.newsId()).isEqualTo("rollout/payments-api/staging/07348c117739/COMPLETED");
            assertThat(rollout.at()).as("when ECS says it happened").isEqualTo(Instant.parse("2020-05-23T11:11:11Z"));
        });
    }

    @Test
    void tellsTheGateASweepHandedOverAndTheDeployItStarted() throws Exception {
        GateService gates = gatedService(new InMemoryGateStore(), quietAlarm());
        invoke(new EcsDeployHandler(new DeployService(GATED, ecs, releases, controls, clock).withGates(gates)),
                "gantry-ecr-push-payments-api-1.4.0.json");
        clock.advance(Duration.ofSeconds(30));
        ReleaseKey prod = new ReleaseKey("payments-api", "prod", DIGEST);
        // Passed by a decision from Slack, outside the sweep: the sweep only hands it to the deploy.
        gates.decide(prod, new Approval("U0AAAA002", clock.instant(), DIGEST, Approval.Decision.APPROVE, "ship it"));

        invoke(sweepHandler(gates), "gantry-scheduled-event-gate-sweep.json");

        assertThat(notifier.told()).extracting(ReleaseNews::getClass)
                .containsExactly(GateDecided.class, GateChanged.class, DeployStarted.class);
        assertThat(notifier.told()).extracting(ReleaseNews::thread).containsOnly(THREAD);
        GateDecided decided = notifier.told(GateDecided.class).getFirst();
        assertThat(decided.by()).isEqualTo("U0AAAA002");
        assertThat(decided.decision()).isEqualTo(Approval.Decision.APPROVE);
        GateChanged gate = notifier.told(GateChanged.class).getFirst();
        assertThat(gate.environment()).isEqualTo("prod");
        assertThat(gate.gate()).isEqualTo("production");
        assertThat(gate.status()).isEqualTo(GateStatus.PASSED);
        DeployStarted started = notifier.told(DeployStarted.class).getFirst();
        assertThat(started.environment()).isEqualTo("prod");
        assertThat(started.cluster()).isEqualTo("prod");
        assertThat(started.taskDefinitionArn()).isEqualTo(releases.find(prod).orElseThrow().taskDefinitionArn());
    }

    @Test
    void tellsEachAnswerASweepStoresOnceWithoutReadingTheDueRecordsAhead() throws Exception {
        InMemoryAlarmStates alarms = quietAlarm();
        CountingDueReads gateRecords = new CountingDueReads(new InMemoryGateStore());
        GateService gates = gatedService(gateRecords, alarms);
        invoke(new EcsDeployHandler(new DeployService(GATED, ecs, releases, controls, clock).withGates(gates)),
                "gantry-ecr-push-payments-api-1.4.0.json");
        ReleaseKey prod = new ReleaseKey("payments-api", "prod", DIGEST);
        // Approved while CloudWatch cannot answer: the gate passes at the sweep's own look, then the release is handed over.
        alarms.failWith("CloudWatch DescribeAlarms was throttled");
        clock.advance(Duration.ofSeconds(30));
        gates.decide(prod, new Approval("U0AAAA003", clock.instant(), DIGEST, Approval.Decision.APPROVE, null));
        alarms.recover();
        clock.advance(Duration.ofMinutes(5));
        int dueReadsBefore = gateRecords.dueReads();

        JsonNode report = invoke(sweepHandler(gates), "gantry-scheduled-event-gate-sweep.json");

        assertThat(report.at("/lines/0/status").asText()).isEqualTo("PASSED");
        assertThat(gateRecords.find(prod).orElseThrow().handoff()).as("evaluated, then handed over: two writes").startsWith("DEPLOYED");
        assertThat(notifier.told()).extracting(ReleaseNews::getClass)
                .containsExactly(GateDecided.class, GateChanged.class, DeployStarted.class);
        assertThat(notifier.told(GateChanged.class)).singleElement().satisfies(gate -> {
            assertThat(gate.thread()).isEqualTo(THREAD);
            assertThat(gate.status()).isEqualTo(GateStatus.PASSED);
            assertThat(gate.at()).as("the sweep's evaluation").isEqualTo(clock.instant());
        });
        assertThat(notifier.told(DeployStarted.class)).singleElement().satisfies(started -> {
            assertThat(started.environment()).isEqualTo("prod");
            assertThat(started.taskDefinitionArn()).isEqualTo(releases.find(prod).orElseThrow().taskDefinitionArn());
        });
        assertThat(gateRecords.dueReads() - dueReadsBefore).as("the sweep's own read, no read-ahead for news").isEqualTo(1);
    }

    @Test
    void followsNoGateServiceWhenNothingListens() {
        GateService gates = gatedService(new InMemoryGateStore(), quietAlarm());

        GateService followed = GateSweepNews.NONE.following(gates);
        GateService followedInADryRun = new GateSweepNews(new DeployNews(GATED, releases, Notifier.NONE, clock)).following(gates);

        assertThat(followed).as("no listener to call on every write").isSameAs(gates);
        assertThat(followedInADryRun).isSameAs(gates);
    }

    @Test
    void sendsNothingWhenNoNotifyQueueIsConfiguredOrInADryRun() {
        String queue = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";

        Notifier unconfigured = EcsDeployWiring.notifier(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1")));
        Notifier dryRun = EcsDeployWiring.notifier(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1",
                SqsNotifier.QUEUE_URL_ENV, queue, EcsDeployWiring.DRY_RUN_ENV, "true")));
        Notifier configured = EcsDeployWiring.notifier(new AwsClients(Map.of(AwsClients.REGION_ENV, "eu-west-1",
                SqsNotifier.QUEUE_URL_ENV, queue)));

        assertThat(unconfigured).isSameAs(Notifier.NONE);
        assertThat(dryRun).isSameAs(Notifier.NONE);
        assertThat(configured).isInstanceOf(SqsNotifier.class);
    }

    @Test
    void readsNothingForNewsWhenNothingListens() throws Exception {
        ReleaseStore unreadable = (ReleaseStore) Proxy.newProxyInstance(ReleaseStore.class.getClassLoader(),
                new Class<?>[] {ReleaseStore.class}, (proxy, method, args) -> {
                    throw new AssertionError("news read the release store: " + method.getName());
                });
        EcsDeployHandler handler = new EcsDeployHandler(deployService(), new DeployNews(config, unreadable, Notifier.NONE, clock));

        JsonNode report = invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
    }

    @Test
    void aNotifierThatFailsDoesNotFailTheDeployItWouldTell() throws Exception {
        Notifier broken = told -> {
            throw new IllegalStateException("queue unreachable");
        };
        EcsDeployHandler handler = new EcsDeployHandler(deployService(), new DeployNews(config, releases, broken, clock));

        JsonNode report = invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(ecs.calls("UpdateService")).hasSize(1);
    }

    private DeployService deployService() {
        return new DeployService(config, ecs, releases, controls, clock);
    }

    private InMemoryAlarmStates quietAlarm() {
        InMemoryAlarmStates alarms = new InMemoryAlarmStates();
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, clock.instant().minus(Duration.ofHours(1)));
        return alarms;
    }

    private GateService gatedService(GateStore gateRecords, InMemoryAlarmStates alarms) {
        return new GateService(GATED, gateRecords, releases, alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(),
                ApproverGroups.none(), clock);
    }

    /** The gate sweep as its wiring builds it: the sweep and its deploy on the gate service the news follows. */
    private GateSweepHandler sweepHandler(GateService gates) {
        GateSweepNews news = new GateSweepNews(new DeployNews(GATED, releases, notifier, clock));
        GateService followed = news.following(gates);
        DeployService deploys = new DeployService(GATED, ecs, releases, controls, clock).withGates(followed);
        return new GateSweepHandler(new GateSweepService(followed, deploys), news);
    }

    /** A gate store that counts how often the records due are read. */
    private static final class CountingDueReads implements GateStore {
        private final GateStore store;
        private int dueReads;

        CountingDueReads(GateStore store) {
            this.store = store;
        }

        synchronized int dueReads() {
            return dueReads;
        }

        @Override
        public Optional<GateRecord> find(ReleaseKey key) {
            return store.find(key);
        }

        @Override
        public boolean create(GateRecord record) {
            return store.create(record);
        }

        @Override
        public boolean replace(GateRecord updated) {
            return store.replace(updated);
        }

        @Override
        public List<GateRecord> waiting(String service, String environment) {
            return store.waiting(service, environment);
        }

        @Override
        public synchronized List<GateRecord> due(Instant now, int limit) {
            dueReads++;
            return store.due(now, limit);
        }
    }

    private EnvironmentConfig environment(String name) {
        return config.services().getFirst().environments().stream().filter(e -> e.name().equals(name)).findFirst().orElseThrow();
    }

    private static JsonNode invoke(RequestStreamHandler handler, String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-test", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
