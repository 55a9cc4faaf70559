package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.deploy.DeployReport;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateEvaluation;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.gate.GateVerdict;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.PipelineJobReport;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Gates asked many times at once, as duplicate deliveries, CodePipeline's retries and a sweep racing a
 * push can: the gate, deploy and pipeline services over their real DynamoDB stores (DynamoDB Local, whose
 * conditional writes and transactions behave as DynamoDB's), with AWS's other services in memory.
 */
class ConcurrentGateIT {

    private static final int COPIES = 8;
    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    /** The digest {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over. */
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final EcsServiceRef PROD = new EcsServiceRef("111122223333", "eu-west-1", "prod", "payments-api");
    private static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111122223333-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");
    private static final ArtifactAccess ACCESS = new ArtifactAccess("fake-access-key-id", "fake-secret-access-key", "fake-session-token");

    private static final DynamoDbClient dynamo = DynamoDbLocal.client();

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryAlarmStates alarms = new InMemoryAlarmStates();
    private String table;
    private GantryConfig config;
    private GateService gates;

    @BeforeEach
    void freshTable() {
        table = DynamoDbLocal.freshTable();
        config = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                    environments:
                      - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: payments-api }
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
                gates:
                  - name: production
                    alarms: { names: [payments-api-5xx] }
                    approvals: { required: 1, users: [U0AAAA001] }
                """, "gantry.yml");
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        gates = new GateService(config, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table), alarms,
                new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    }

    @RepeatedTest(3)
    void decidesAReleaseOnceWhenItIsEvaluatedEightTimesAtOnceWhileDue() throws Exception {
        GateService alarmGate = alarmsOnlyGate();
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.INSUFFICIENT_DATA, null);
        GateSubject subject = new GateSubject(RELEASE, REGISTRY + "/payments-api@" + DIGEST, "1.4.0", null, List.of(), GateOrigin.PIPELINE,
                "pipeline-job:job-1");
        assertThat(alarmGate.evaluate(subject).status()).isEqualTo(GateStatus.WAITING);
        alarms.givenAlarm("payments-api-5xx", AlarmStates.State.OK, null);
        clock.advance(Duration.ofMinutes(2));
        int callsBefore = alarms.calls();

        List<GateRecord> answers = concurrently(i -> alarmGate.evaluate(subject));

        assertThat(alarms.calls()).as("the race ran on a record that was due, so at least one copy ran the checks")
                .isGreaterThan(callsBefore);
        assertThat(answers).extracting(GateRecord::status).containsOnly(GateStatus.PASSED);
        GateRecord stored = alarmGate.find(RELEASE).orElseThrow();
        assertThat(stored.evaluations()).extracting(GateEvaluation::outcome)
                .as("one passing answer, whoever won the race: a second would mean two decisions")
                .containsExactly(GateVerdict.Outcome.WAITING, GateVerdict.Outcome.PASSED);
        assertThat(stored.evaluations().getLast().times()).isEqualTo(1);
        assertThat(stored.version()).as("created, waited once, passed once").isEqualTo(2);
    }

    private GateService alarmsOnlyGate() {
        GantryConfig alarmsOnly = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                    environments:
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
                gates:
                  - name: production
                    alarms: { names: [payments-api-5xx] }
                """, "gantry.yml");
        return new GateService(alarmsOnly, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table),
                alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    }

    @RepeatedTest(3)
    void putsOneResultForAPipelineGateJobDeliveredEightTimesAtOnce() throws Exception {
        InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        InMemoryImageRegistry registry = new InMemoryImageRegistry();
        // The registry the pinned artifact names, not this test's.
        registry.givenImage("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + DIGEST, Instant.parse("2026-11-23T09:58:12Z"));
        InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
        PipelineGateService pipelineGates = new PipelineGateService(config, gates, artifacts, registry, jobs,
                new DynamoDbJobLedger(dynamo, table), clock);
        PipelineJob job = new PipelineJob("job-1", "111122223333", "{\"service\":\"payments-api\",\"environment\":\"prod\"}",
                List.of(BUILD_OUTPUT), ACCESS);

        List<PipelineJobReport> reports = concurrently(i -> pipelineGates.run(job, null, "inv-" + i));

        assertThat(jobs.puts()).as("exactly one result for the job, however many copies ran").hasSize(1);
        assertThat(jobs.puts().getFirst().accepted()).isTrue();
        assertThat(reports).extracting(PipelineJobReport::disposition).containsOnlyOnce(PipelineJobReport.Disposition.COMPLETED);
        assertThat(gates.find(RELEASE).orElseThrow().status()).isEqualTo(GateStatus.WAITING);
    }

    @RepeatedTest(3)
    void deploysAPushToAGateThatPassesAtOnceExactlyOnceWhenDeliveredEightTimes() throws Exception {
        GantryConfig alarmsOnly = ConfigLoader.parse("""
                version: 1
                services:
                  - name: payments-api
                    repository: payments-api
                    tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                    environments:
                      - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
                gates:
                  - name: production
                    alarms: { names: [payments-api-5xx] }
                """, "gantry.yml");
        GateService alarmGate = new GateService(alarmsOnly, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table),
                alarms, new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(), clock);
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        ecs.givenService(PROD, "payments-api-prod", List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        DeployService deploys = new DeployService(alarmsOnly, ecs, new DynamoDbReleaseStore(dynamo, table), new InMemoryDeployControls(),
                clock, DeployService.DEFAULT_LEASE, false, pause -> Thread.onSpinWait()).withGates(alarmGate);
        ImagePush push = new ImagePush("event-1", "111122223333", "eu-west-1", "payments-api", "1.4.0", DIGEST, "PUSH", "SUCCESS",
                clock.instant());

        List<DeployReport> reports = concurrently(i -> deploys.onImagePush(push, "inv-" + i));

        assertThat(ecs.calls("UpdateService")).hasSize(1);
        assertThat(reports).extracting(r -> r.outcomes().getFirst().result())
                .containsOnlyOnce(DeployOutcome.Result.DEPLOYED)
                .isSubsetOf(DeployOutcome.Result.DEPLOYED, DeployOutcome.Result.DUPLICATE, DeployOutcome.Result.IN_PROGRESS);
        assertThat(alarmGate.find(RELEASE).orElseThrow().handoff()).startsWith("DEPLOYED");
    }

    private static <T> List<T> concurrently(IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(COPIES);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < COPIES; i++) {
                int copy = i;
                Callable<T> call = () -> {
                    start.await();
                    return task.apply(copy);
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
