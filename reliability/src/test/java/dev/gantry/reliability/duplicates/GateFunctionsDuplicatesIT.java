package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static dev.gantry.reliability.duplicates.Wiring.GATED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.SdkServiceRevisions;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.EcsHookGateService;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.fn.releasegate.EcsHookHandler;
import dev.gantry.fn.releasegate.PipelineGateHandler;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.PipelineArtifacts;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The release-gate functions' handlers (pipeline-gate, ecs-gate-hook) asked about one release many times at once, as
 * CodePipeline's redeliveries and ECS re-invoking a hook can: gate records and job claims in DynamoDB Local through the
 * real adapters, CodePipeline, S3 and ECS on the wire. The gate answers once, and every copy hears the same answer.
 */
class GateFunctionsDuplicatesIT {

    private static final String GATE_JOB = "gantry-codepipeline-job-payments-api-prod-gate.json";
    private static final String PROD_ARTIFACT = "payments-api/BuildArtif/Jz9oSs4";
    private static final String HOOK = "gantry-ecs-lifecycle-hook-payments-api-prod.json";
    /** The revision the lifecycle-hook sample names. */
    private static final String PROD_REVISION = "arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/5146209837166290472";
    private static final ReleaseKey PROD = new ReleaseKey("payments-api", "prod", new ImageDigest(LoopbackAws.DIGEST));

    @RegisterExtension
    static final LoopbackAws aws = new LoopbackAws();

    @Test
    void putsOneResultAndEvaluatesTheGateOnceWhenAGateJobArrivesManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.acceptPipelineResults();
                aws.serveArtifact(PROD_ARTIFACT, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
                aws.holdsImage("payments-api", LoopbackAws.DIGEST);
                String job = Fixtures.eventText(GATE_JOB);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(pipelineGate(table), job));

                assertThat(deliveries).noneMatch(Delivery::failed);
                List<String> dispositions = deliveries.stream().map(d -> d.answer().path("disposition").asText()).toList();
                long lost = dispositions.stream().filter(d -> !List.of("COMPLETED", "ALREADY_COMPLETED", "IN_PROGRESS_ELSEWHERE").contains(d))
                        .count();
                GateRecord record = gates(GATED, table).find(PROD).orElseThrow();
                int results = aws.codePipelineCalls("PutJobSuccessResult").size() + aws.codePipelineCalls("PutJobFailureResult").size();
                figures.round(COPIES, 1, results + gateWrites(record), 1 + 2, lost);
                assertThat(dispositions).containsOnlyOnce("COMPLETED");
                assertThat(aws.codePipelineCalls("PutJobSuccessResult")).as("job results put").singleElement()
                        .satisfies(put -> assertThat(put.path("continuationToken").asText()).isNotBlank());
                assertThat(aws.codePipelineCalls("PutJobFailureResult")).isEmpty();
                assertThat(record.origin()).isEqualTo(GateOrigin.PIPELINE);
                assertThat(record.status()).isEqualTo(GateStatus.WAITING);
                assertThat(record.evaluations()).as("evaluations stored").singleElement().satisfies(e -> assertThat(e.times()).isEqualTo(1));
                assertThat(gateWrites(record)).as("the record's arrival and its one evaluation").isEqualTo(2);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    @Test
    void answersEveryCopyOfALifecycleHookAlikeFromOneEvaluation() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                aws.prodServiceRevision(PROD_REVISION);
                String hook = Fixtures.eventText(HOOK);

                List<Delivery> deliveries = AtOnce.deliver(COPIES, copy -> new Invocation(ecsHook(table), hook));

                assertThat(deliveries).noneMatch(Delivery::failed);
                List<String> answers = deliveries.stream().map(d -> d.answer().path("hookStatus").asText()).toList();
                long lost = answers.stream().filter(answer -> !answer.equals("IN_PROGRESS")).count();
                GateRecord record = gates(GATED, table).find(PROD).orElseThrow();
                figures.round(COPIES, 1, gateWrites(record), 2, lost);
                assertThat(answers).as("what ECS is told: wait, two approvals are missing").containsOnly("IN_PROGRESS");
                assertThat(record.origin()).isEqualTo(GateOrigin.ECS_HOOK);
                assertThat(record.evaluations()).as("evaluations stored").singleElement().satisfies(e -> assertThat(e.times()).isEqualTo(1));
                assertThat(gateWrites(record)).as("the record's arrival and its one evaluation").isEqualTo(2);
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    /** Writes the record has had: its creation, then one per replace, each of which raised its version by one. */
    private static long gateWrites(GateRecord record) {
        return record.version() + 1;
    }

    private static GateService gates(GantryConfig config, String table) {
        return Wiring.gates(config, aws.dynamo, table);
    }

    private PipelineGateHandler pipelineGate(String table) {
        return new PipelineGateHandler(new PipelineGateService(GATED, gates(GATED, table), aws.artifactReader(), new SdkImageRegistry(aws.ecr),
                new SdkPipelineJobs(aws.codePipeline), new DynamoDbJobLedger(aws.dynamo, table), Clock.systemUTC()));
    }

    private EcsHookHandler ecsHook(String table) {
        return new EcsHookHandler(new EcsHookGateService(GATED, gates(GATED, table), new SdkServiceRevisions(aws.ecs), Clock.systemUTC()));
    }
}
