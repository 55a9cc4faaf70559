package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static dev.gantry.reliability.duplicates.Wiring.GATED;
import static dev.gantry.reliability.duplicates.Wiring.TWO_ENVIRONMENTS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SdkEcsDeployments;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.fn.ecsdeploy.PipelineDeployHandler;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.reliability.harness.DeployedRelease;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.PipelineArtifacts;
import dev.gantry.testing.RecordingNotifier;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The deploy functions' handlers (ecs-deploy, pipeline-deploy, rollout-follow, gate-sweep) given one event many times
 * at once, each copy in a handler of its own: state in DynamoDB Local through the real adapters, ECS, CodePipeline, S3
 * and ECR on the wire. Every event has its side effects once, and every copy answers as a duplicate or as the one that
 * acted.
 */
class DeployFunctionsDuplicatesIT {

    private static final String PUSH = "gantry-ecr-push-payments-api-1.4.0.json";
    private static final String STAGING_JOB = "gantry-codepipeline-job-payments-api-staging.json";
    private static final String STAGING_ARTIFACT = "payments-api/BuildArtif/Gx7mPq2";
    private static final String ROLLED_BACK = "gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json";
    private static final String COMPLETED = "gantry-ecs-deployment-completed-payments-api-staging.json";
    private static final String SWEEP = "gantry-scheduled-event-gate-sweep.json";
    /** The deployment the derived ECS events name: the one the release's UpdateService started. */
    private static final String DEPLOYMENT = "ecs-svc/3056462518204391731";
    private static final ImageDigest DIGEST = new ImageDigest(LoopbackAws.DIGEST);

    @RegisterExtension
    static final LoopbackAws aws = new LoopbackAws();

    @Test
    void registersAndMovesEachEnvironmentOnceWhenAPushArrivesManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.runPaymentsApi("staging");
                aws.runPaymentsApi("prod");
                RecordingNotifier news = new RecordingNotifier();
                String push = Fixtures.eventText(PUSH);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(ecsDeploy(TWO_ENVIRONMENTS, table, news), push));

                assertThat(deliveries).noneMatch(Delivery::failed);
                long lost = 0;
                for (String environment : List.of("staging", "prod")) {
                    List<String> results = deliveries.stream().map(d -> Wiring.outcomeIn(d.answer(), environment).path("result").asText()).toList();
                    assertThat(results).as("what each copy did in " + environment).containsOnlyOnce("DEPLOYED");
                    lost += results.stream().filter(r -> !List.of("DEPLOYED", "DUPLICATE", "IN_PROGRESS").contains(r)).count();
                    assertThat(aws.ecsCalls("RegisterTaskDefinition", environment)).as("revisions registered for " + environment).isEqualTo(1);
                    assertThat(aws.ecsCalls("UpdateService", environment)).as("service updates in " + environment).isEqualTo(1);
                }
                List<ReleaseNews.DeployStarted> started = news.told(ReleaseNews.DeployStarted.class);
                assertThat(started).as("the news of each environment's deploy").hasSize(2);
                long seen = aws.ecsCalls("RegisterTaskDefinition").size() + aws.ecsCalls("UpdateService").size() + started.size();
                figures.round(COPIES, 1, seen, 2 + 2 + 2, lost);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void putsOneResultAndDeploysOnceWhenAPipelineJobArrivesManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.runPaymentsApi("staging");
                aws.acceptPipelineResults();
                aws.serveArtifact(STAGING_ARTIFACT, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
                aws.tagPointsAt("payments-api", "1.4.0", LoopbackAws.DIGEST);
                String job = Fixtures.eventText(STAGING_JOB);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(pipelineDeploy(table), job));

                assertThat(deliveries).noneMatch(Delivery::failed);
                List<String> dispositions = deliveries.stream().map(d -> d.answer().path("disposition").asText()).toList();
                assertThat(dispositions).containsOnlyOnce("COMPLETED");
                long lost = dispositions.stream().filter(d -> !List.of("COMPLETED", "ALREADY_COMPLETED", "IN_PROGRESS_ELSEWHERE").contains(d))
                        .count();
                assertThat(aws.codePipelineCalls("PutJobSuccessResult")).as("job results put").hasSize(1);
                assertThat(aws.codePipelineCalls("PutJobFailureResult")).isEmpty();
                assertThat(aws.ecsCalls("RegisterTaskDefinition", "staging")).isEqualTo(1);
                assertThat(aws.ecsCalls("UpdateService", "staging")).isEqualTo(1);
                long seen = aws.codePipelineCalls("PutJobSuccessResult").size() + aws.codePipelineCalls("PutJobFailureResult").size()
                        + aws.ecsCalls("RegisterTaskDefinition").size() + aws.ecsCalls("UpdateService").size();
                figures.round(COPIES, 1, seen, 3, lost);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void recordsARollbackAndVetoesItsDigestOnceWhenTheEventArrivesManyTimesAtOnce() throws Exception {
        String deployments = """
                {"id":"ecs-svc/5188146770730811392","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":1,
                 "runningCount":1,"failedTasks":0,"rolloutState":"IN_PROGRESS",
                 "rolloutStateReason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1946263512074623851."},
                {"id":"%s","status":"ACTIVE","taskDefinition":"%s","desiredCount":0,"pendingCount":0,"runningCount":0,"failedTasks":3,
                 "rolloutState":"FAILED","rolloutStateReason":"ECS deployment circuit breaker: task failed to start."}"""
                .formatted(LoopbackAws.revisionArn("staging", LoopbackAws.RUNNING_REVISION), DEPLOYMENT,
                        LoopbackAws.revisionArn("staging", LoopbackAws.NEW_REVISION));

        rolloutEventManyTimesAtOnce(ROLLED_BACK, deployments, RolloutStatus.ROLLED_BACK, 1);
    }

    @Test
    void recordsACompletedRolloutOnceWhenTheEventArrivesManyTimesAtOnce() throws Exception {
        String deployments = """
                {"id":"%s","status":"PRIMARY","taskDefinition":"%s","desiredCount":2,"pendingCount":0,"runningCount":2,"failedTasks":0,
                 "rolloutState":"COMPLETED","rolloutStateReason":"ECS deployment %1$s completed."}"""
                .formatted(DEPLOYMENT, LoopbackAws.revisionArn("staging", LoopbackAws.NEW_REVISION));

        rolloutEventManyTimesAtOnce(COMPLETED, deployments, RolloutStatus.COMPLETED, 0);
    }

    /**
     * Delivers the rollout event {@code eventFile} many times at once while ECS lists {@code deployments}: one copy records
     * {@code status} (and vetoes the digest {@code vetoes} times), tells it once, and the others find it recorded.
     */
    private void rolloutEventManyTimesAtOnce(String eventFile, String deployments, RolloutStatus status, int vetoes) throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.deploymentsOf("staging", deployments);
                ReleaseKey release = new ReleaseKey("payments-api", "staging", DIGEST);
                DeployedRelease.serviceUpdated(new DynamoDbReleaseStore(aws.dynamo, table), release, LoopbackAws.REGISTRY,
                        LoopbackAws.revisionArn("staging", LoopbackAws.RUNNING_REVISION),
                        LoopbackAws.revisionArn("staging", LoopbackAws.NEW_REVISION));
                RecordingNotifier news = new RecordingNotifier();
                String event = Fixtures.eventText(eventFile);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(rollout(table, news), event));

                assertThat(deliveries).noneMatch(Delivery::failed);
                List<JsonNode> outcomes = deliveries.stream().map(d -> d.answer().path("outcomes").path(0)).toList();
                long recorded = outcomes.stream().filter(o -> o.path("result").asText().equals("RECORDED")).count();
                long vetoed = outcomes.stream().filter(o -> o.path("vetoed").asBoolean()).count();
                long lost = outcomes.stream().filter(o -> !List.of("RECORDED", "UNCHANGED").contains(o.path("result").asText())).count();
                List<ReleaseNews.RolloutChanged> told = news.told(ReleaseNews.RolloutChanged.class);
                figures.round(COPIES, 1, recorded + vetoed + told.size(), 1 + vetoes + 1, lost);
                assertThat(recorded).as("copies that recorded the rollout").isEqualTo(1);
                assertThat(vetoed).as("copies that vetoed the digest").isEqualTo(vetoes);
                assertThat(told).as("the news of the rollout").singleElement().satisfies(n -> assertThat(n.status()).isEqualTo(status));
                assertThat(new DynamoDbReleaseStore(aws.dynamo, table).find(release).orElseThrow().rolloutStatus()).isEqualTo(status);
                assertThat(new DynamoDbDeployControls(aws.dynamo, table).vetoOf("payments-api", "staging", DIGEST).isPresent())
                        .isEqualTo(vetoes > 0);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void deploysAReleaseWhoseGatePassedOnceWhenSweepsRunAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.runPaymentsApi("staging");
                aws.runPaymentsApi("prod");
                ReleaseKey prod = new ReleaseKey("payments-api", "prod", DIGEST);
                givenTheReleasePassedItsProdGate(table, prod);
                String tick = Fixtures.eventText(SWEEP);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(Wiring.gateSweep(GATED, aws, table), tick));

                assertThat(deliveries).noneMatch(Delivery::failed);
                List<String> lines = deliveries.stream().flatMap(d -> d.answer().path("lines").valueStream()).map(l -> l.path("what").asText())
                        .toList();
                assertThat(lines).noneMatch(line -> line.startsWith("error:"));
                GateRecord record = gates(GATED, table).find(prod).orElseThrow();
                long lost = record.handoff() == null ? 1 : 0;
                long seen = aws.ecsCalls("RegisterTaskDefinition").size() + aws.ecsCalls("UpdateService").size();
                figures.round(COPIES, 1, seen, 2, lost);
                assertThat(aws.ecsCalls("RegisterTaskDefinition", "prod")).isEqualTo(1);
                assertThat(aws.ecsCalls("UpdateService", "prod")).isEqualTo(1);
                assertThat(seen).as("nothing but prod moved").isEqualTo(2);
                assertThat(lines).filteredOn(line -> line.contains("DEPLOYED")).hasSize(1);
                assertThat(record.handoff()).as("what the gate's record says the deploy did").startsWith("DEPLOYED");
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    /** The push stopped at prod's gate, as the deploy left it; two people approved, so the gate passed and the sweep is due. */
    private void givenTheReleasePassedItsProdGate(String table, ReleaseKey prod) {
        GateService gates = gates(GATED, table);
        gates.evaluate(Wiring.pushed(prod));
        for (String approver : List.of("U0EXAMPLE1", "U0EXAMPLE2")) {
            gates.decide(prod, new Approval(approver, Instant.now(), DIGEST, Approval.Decision.APPROVE, null));
        }
        assertThat(gates.find(prod).orElseThrow().status()).isEqualTo(GateStatus.PASSED);
    }

    private EcsDeployHandler ecsDeploy(GantryConfig config, String table, Notifier notifier) {
        return new EcsDeployHandler(deployService(config, table),
                new DeployNews(config, new DynamoDbReleaseStore(aws.dynamo, table), notifier, Clock.systemUTC()));
    }

    private PipelineDeployHandler pipelineDeploy(String table) {
        return new PipelineDeployHandler(new PipelineDeployService(TWO_ENVIRONMENTS, deployService(TWO_ENVIRONMENTS, table),
                aws.artifactReader(), new SdkImageRegistry(aws.ecr), new SdkPipelineJobs(aws.codePipeline),
                new DynamoDbJobLedger(aws.dynamo, table), Clock.systemUTC()));
    }

    private RolloutHandler rollout(String table, Notifier notifier) {
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(aws.dynamo, table);
        return new RolloutHandler(new RolloutService(TWO_ENVIRONMENTS, new SdkEcsDeployments(aws.ecs), releases,
                new DynamoDbDeployControls(aws.dynamo, table), Clock.systemUTC()),
                new DeployNews(TWO_ENVIRONMENTS, releases, notifier, Clock.systemUTC()));
    }

    private DeployService deployService(GantryConfig config, String table) {
        return Wiring.deploys(config, new SdkEcsGateway(aws.ecs), aws.dynamo, table);
    }

    private static GateService gates(GantryConfig config, String table) {
        return Wiring.gates(config, aws.dynamo, table);
    }
}
