package dev.gantry.fn.releasegate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3ArtifactReader;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.events.CodePipelineJobEvent;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.pipeline.PipelineGateService;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.JsonLogLines;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The CodePipeline gate action as Lambda runs it: the real SDK adapters against one loopback server speaking S3, ECR,
 * CloudWatch and CodePipeline, DynamoDB Local for gate records and job claims, and a test clock.
 */
class PipelineGateHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonProtocolWire CODEPIPELINE = JsonProtocolWire.CODEPIPELINE;
    private static final String GATE_JOB_EVENT = "gantry-codepipeline-job-payments-api-prod-gate.json";
    private static final String CONTINUED_JOB_EVENT = "gantry-codepipeline-job-payments-api-prod-gate-continued.json";
    private static final String GATE_JOB = "f3a09764-e31a-xmpl-c016-1b11a19be9c9";
    private static final String CONTINUED_JOB = "a7c4e2d1-f5b6-xmpl-d127-2c22b20cf0da";
    private static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "prod", new ImageDigest(LoopbackAws.DIGEST));
    // The artifact credentials the sample jobs carry (the AWS Lambda Developer Guide's obviously fake ones).
    private static final String JOB_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String JOB_SECRET = "6CGtmAa3lzWtV7a...";
    private static final String JOB_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEA...";

    private static LoopbackAws aws;
    private MutableClock clock;
    private PipelineGateHandler handler;
    /** Records decisions as Slack will: another function's gate service over the same table. */
    private GateService approvers;
    private String table;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @BeforeEach
    void freshStateAndStubs() {
        aws.server.resetAll();
        aws.stubPipelineJobResults();
        aws.stubProdArtifact(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag();
        aws.stubAlarm("OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).");
        clock = MutableClock.at("2026-03-04T10:00:00Z");
        table = aws.freshTable();
        GantryConfig config = LoopbackAws.gatedConfig();
        handler = new PipelineGateHandler(new PipelineGateService(config, aws.gateService(config, table, clock),
                new S3ArtifactReader(aws.http, Region.EU_WEST_1, URI.create(aws.server.baseUrl()), true),
                new SdkImageRegistry(aws.ecr), new SdkPipelineJobs(aws.codePipeline), new DynamoDbJobLedger(aws.dynamo, table), clock));
        approvers = aws.gateService(config, table, clock);
    }

    @Test
    void continuesTheJobWithATokenNamingTheReleaseWhileApprovalsAreMissing() throws Exception {
        JsonNode answer = invoke(GATE_JOB_EVENT);

        List<JsonNode> successes = CODEPIPELINE.requests(aws.server, "PutJobSuccessResult");
        assertThat(successes).hasSize(1);
        JsonNode put = successes.get(0);
        assertThat(put.at("/jobId").asText()).isEqualTo(GATE_JOB);
        JsonNode token = JSON.readTree(put.at("/continuationToken").asText());
        assertThat(token.at("/v").asInt()).isEqualTo(1);
        assertThat(token.at("/service").asText()).isEqualTo("payments-api");
        assertThat(token.at("/environment").asText()).isEqualTo("prod");
        assertThat(token.at("/digest").asText()).isEqualTo(LoopbackAws.DIGEST);
        assertThat(put.at("/continuationToken").asText())
                .as("the continuation sample carries the token this action hands CodePipeline")
                .isEqualTo(continuationTokenOf(CONTINUED_JOB_EVENT));
        assertThat(put.at("/executionDetails/summary").asText())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 is waiting: waiting for approvals: 0 of 2 approvals");
        assertThat(CODEPIPELINE.requests(aws.server, "PutJobFailureResult")).isEmpty();
        assertThat(answer.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(answer.at("/outcome").asText()).isEqualTo("CONTINUED");
        assertThat(approvers.find(RELEASE).orElseThrow().pushedAt()).as("when ECR says it was pushed, which orders it at the gate")
                .isEqualTo(LoopbackAws.PUSHED_AT);
    }

    @Test
    void logsEachGateAnswerInTheJsonFieldGateAnswersAreCountedBy() throws Exception {
        List<JsonNode> answers;
        try (JsonLogLines log = JsonLogLines.capture()) {
            invoke(GATE_JOB_EVENT);
            aws.stubAlarm("ALARM", "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).");
            clock.advance(Duration.ofMinutes(20));
            invoke(CONTINUED_JOB_EVENT);
            answers = log.withMessageStartingWith("gate 'production' for " + RELEASE.id() + ": ");
        }

        assertThat(answers).extracting(line -> line.path("gateStatus").asText()).containsExactly("WAITING", "FAILED");
    }

    @Test
    void putsOneResultWhenTheSameGateJobArrivesTwice() throws Exception {
        invoke(GATE_JOB_EVENT);

        JsonNode second = invoke(GATE_JOB_EVENT);

        assertThat(second.at("/disposition").asText()).isEqualTo("ALREADY_COMPLETED");
        assertThat(CODEPIPELINE.requests(aws.server, "PutJobSuccessResult")).hasSize(1);
        assertThat(CODEPIPELINE.requests(aws.server, "PutJobFailureResult")).isEmpty();
        assertThat(S3Wire.gets(aws.server, LoopbackAws.ARTIFACT_BUCKET, LoopbackAws.PROD_ARTIFACT_KEY)).hasSize(1);
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.server)).hasSize(1);
    }

    @Test
    void succeedsTheContinuationJobWithoutATokenOnceTwoPeopleApproved() throws Exception {
        invoke(GATE_JOB_EVENT);
        clock.advance(Duration.ofMinutes(20));
        approvers.decide(RELEASE, new Approval("U0EXAMPLE1", clock.instant(), RELEASE.digest(), Approval.Decision.APPROVE, "dashboards quiet"));
        approvers.decide(RELEASE, new Approval("U0EXAMPLE2", clock.instant(), RELEASE.digest(), Approval.Decision.APPROVE, null));
        clock.advance(Duration.ofMinutes(1));

        JsonNode answer = invoke(CONTINUED_JOB_EVENT);

        List<JsonNode> successes = CODEPIPELINE.requests(aws.server, "PutJobSuccessResult");
        assertThat(successes).hasSize(2);
        JsonNode put = successes.get(1);
        assertThat(put.at("/jobId").asText()).isEqualTo(CONTINUED_JOB);
        assertThat(put.has("continuationToken")).isFalse();
        assertThat(put.at("/executionDetails/summary").asText())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 passed: all checks passed")
                .contains("U0EXAMPLE1").contains("U0EXAMPLE2");
        assertThat(CODEPIPELINE.requests(aws.server, "PutJobFailureResult")).isEmpty();
        assertThat(answer.at("/outcome").asText()).isEqualTo("SUCCEEDED");
        // The token names the release: the continuation neither reads the artifact nor pins the tag again.
        assertThat(S3Wire.gets(aws.server, LoopbackAws.ARTIFACT_BUCKET, LoopbackAws.PROD_ARTIFACT_KEY)).hasSize(1);
        assertThat(JsonProtocolWire.ECR.requests(aws.server, "DescribeImages")).hasSize(1);
    }

    @Test
    void failsTheWaitingActionOnceAnOperatorVetoesItsDigest() throws Exception {
        invoke(GATE_JOB_EVENT);
        new DynamoDbDeployControls(aws.dynamo, table).veto(new DeployControls.Veto("payments-api", "prod", RELEASE.digest(),
                "leaks connections under load", "U0EXAMPLE1", clock.instant()));
        clock.advance(Duration.ofMinutes(20));

        JsonNode answer = invoke(CONTINUED_JOB_EVENT);

        List<JsonNode> failures = CODEPIPELINE.requests(aws.server, "PutJobFailureResult");
        assertThat(failures).singleElement().satisfies(failure -> assertThat(failure.at("/failureDetails/message").asText())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 refused the release: veto: 07348c117739 is vetoed"
                        + " for prod by U0EXAMPLE1 at 2026-03-04T10:00:00Z: leaks connections under load"));
        assertThat(answer.at("/outcome").asText()).isEqualTo("FAILED");
    }

    @Test
    void failsTheJobWithTheFiringAlarmAndNoCredentialOfTheJobOnTheWire() throws Exception {
        // An alarm reason that happens to echo the job's credentials: whatever the evidence says, it leaves scrubbed.
        aws.stubAlarm("ALARM", "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0); probe signed as "
                + JOB_ACCESS_KEY_ID + " with " + JOB_SECRET + " and " + JOB_SESSION_TOKEN);

        JsonNode answer = invoke(GATE_JOB_EVENT);

        List<JsonNode> failures = CODEPIPELINE.requests(aws.server, "PutJobFailureResult");
        assertThat(failures).hasSize(1);
        assertThat(failures.get(0).at("/jobId").asText()).isEqualTo(GATE_JOB);
        assertThat(failures.get(0).at("/failureDetails/type").asText()).isEqualTo("JobFailed");
        assertThat(failures.get(0).at("/failureDetails/message").asText())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 refused the release: alarms: in ALARM: payments-api-5xx");
        assertThat(CODEPIPELINE.requests(aws.server, "PutJobSuccessResult")).isEmpty();
        assertThat(answer.at("/outcome").asText()).isEqualTo("FAILED");
        List<ServeEvent> wire = aws.server.getAllServeEvents();
        assertThat(wire).allSatisfy(event -> assertThat(event.getRequest().getBodyAsString())
                .doesNotContain(JOB_ACCESS_KEY_ID).doesNotContain(JOB_SECRET).doesNotContain(JOB_SESSION_TOKEN));
        // The job's credentials sign the artifact read, and nothing else.
        assertThat(wire).filteredOn(event -> String.valueOf(event.getRequest().getHeader("Authorization"))
                        .contains("Credential=" + JOB_ACCESS_KEY_ID + "/"))
                .singleElement()
                .satisfies(event -> assertThat(event.getRequest().getUrl()).startsWith("/" + LoopbackAws.ARTIFACT_BUCKET + "/"));
    }

    /** The job's id is readable, so the pipeline is told what is wrong; the invocation still fails into the failure queue. */
    @Test
    void rejectsAnEventWithoutArtifactCredentialsNamingTheFieldToThePipelineToo() throws Exception {
        ObjectNode event = (ObjectNode) JSON.readTree(Fixtures.eventText(GATE_JOB_EVENT));
        ((ObjectNode) event.at("/CodePipeline.job/data")).remove("artifactCredentials");

        assertThatThrownBy(() -> invoke(JSON.writeValueAsBytes(event)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("CodePipeline.job.data.artifactCredentials");
        assertThat(aws.server.getAllServeEvents()).singleElement().satisfies(call ->
                assertThat(call.getRequest().getHeader("X-Amz-Target")).endsWith(".PutJobFailureResult"));
        assertThat(JsonProtocolWire.CODEPIPELINE.requests(aws.server, "PutJobFailureResult")).singleElement().satisfies(failure -> {
            assertThat(failure.at("/jobId").asText()).isEqualTo(event.at("/CodePipeline.job/id").asText());
            assertThat(failure.at("/failureDetails/message").asText()).endsWith("CodePipeline.job.data.artifactCredentials: missing");
        });
    }

    private static String continuationTokenOf(String eventFile) throws Exception {
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            return CodePipelineJobEvent.parse(in).continuationToken();
        }
    }

    private JsonNode invoke(String eventFile) throws Exception {
        return invoke(Files.readAllBytes(Fixtures.event(eventFile)));
    }

    private JsonNode invoke(byte[] event) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event), out, new LocalContext("gantry-pipeline-gate", 60_000));
        return JSON.readTree(out.toByteArray());
    }
}
