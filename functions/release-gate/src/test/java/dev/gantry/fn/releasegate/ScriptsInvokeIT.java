package dev.gantry.fn.releasegate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.StateTable;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import dev.gantry.testing.PipelineArtifacts;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke pipeline-gate} and {@code scripts/invoke ecs-gate-hook} as a user runs them: the release-gate jar
 * names both functions, and each handler wires itself from environment variables alone, as Lambda builds it, with
 * {@code AWS_ENDPOINT_URL} aiming the real SDK at loopback servers and the real clock. Without
 * {@value SqsNotifier#QUEUE_URL_ENV} nothing reaches SQS; with it, the gate's answer goes to the release's thread.
 */
class ScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LoopbackAws aws;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @BeforeEach
    void freshTableAndStubs() {
        aws.server.resetAll();
        aws.stubAlarm("OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).");
        aws.dynamo.deleteTable(r -> r.tableName(LoopbackAws.TABLE));
        StateTable.createIfMissing(aws.dynamo, LoopbackAws.TABLE);
    }

    @Test
    void continuesAGateJobWhileItsApprovalsAreMissing() throws Exception {
        aws.stubPipelineJobResults();
        aws.stubProdArtifact(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag();

        Result result = run("pipeline-gate", "events/gantry-codepipeline-job-payments-api-prod-gate.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode answer = JSON.readTree(result.stdout());
        assertThat(answer.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(answer.at("/outcome").asText()).isEqualTo("CONTINUED");
        assertThat(S3Wire.gets(aws.server, LoopbackAws.ARTIFACT_BUCKET, LoopbackAws.PROD_ARTIFACT_KEY)).singleElement()
                .satisfies(get -> assertThat(get.getHeader("Authorization")).contains("Credential=AKIAIOSFODNN7EXAMPLE/"));
        assertThat(JsonProtocolWire.CODEPIPELINE.requests(aws.server, "PutJobSuccessResult")).singleElement()
                .satisfies(put -> assertThat(put.at("/continuationToken").asText()).contains(LoopbackAws.DIGEST));
        assertThat(aws.dynamo.scan(r -> r.tableName(LoopbackAws.TABLE)).items())
                .anySatisfy(item -> assertThat(item.get("pk").s()).isEqualTo("JOB#f3a09764-e31a-xmpl-c016-1b11a19be9c9"));
        assertThat(aws.sqsMessagesSent()).as("no notify queue configured").isEmpty();
    }

    @Test
    void tellsTheGateJobsReleaseThreadThroughTheNotifyQueueWhenOneIsConfigured() throws Exception {
        aws.stubPipelineJobResults();
        aws.stubProdArtifact(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag();
        aws.stubSqsSendMessage();
        Map<String, String> env = environment();
        env.put(SqsNotifier.QUEUE_URL_ENV, LoopbackAws.NOTIFY_QUEUE);

        Result result = InvokeScript.run(env, "pipeline-gate", "events/gantry-codepipeline-job-payments-api-prod-gate.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/outcome").asText()).isEqualTo("CONTINUED");
        assertThat(result.stderr()).doesNotContain("notify send failed");
        assertThat(aws.sqsMessagesSent()).singleElement().satisfies(sent -> {
            assertThat(sent.at("/QueueUrl").asText()).isEqualTo(LoopbackAws.NOTIFY_QUEUE);
            assertThat(sent.at("/MessageGroupId").asText()).isEqualTo("release/payments-api/" + LoopbackAws.DIGEST);
            assertThat(ReleaseNewsJson.read(sent.at("/MessageBody").asText())).isInstanceOfSatisfying(GateChanged.class, gate -> {
                assertThat(gate.environment()).isEqualTo("prod");
                assertThat(gate.digest().value()).isEqualTo(LoopbackAws.DIGEST);
                assertThat(gate.status()).isEqualTo(GateStatus.WAITING);
                assertThat(gate.reason()).isEqualTo("waiting for approvals: 0 of 2 approvals");
            });
        });
    }

    @Test
    void answersTheLifecycleHookInProgressWhileTheGateWaits() throws Exception {
        aws.stubProdRevision();

        Result result = run("ecs-gate-hook", "events/gantry-ecs-lifecycle-hook-payments-api-prod-execution-details.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode answer = JSON.readTree(result.stdout());
        assertThat(answer.at("/hookStatus").asText()).isEqualTo("IN_PROGRESS");
        assertThat(answer.at("/callBackDelay").asInt()).isBetween(30, 300);
        assertThat(EcsWire.requests(aws.server, "DescribeServiceRevisions")).singleElement()
                .satisfies(request -> assertThat(request.at("/serviceRevisionArns/0").asText()).isEqualTo(LoopbackAws.PROD_REVISION_ARN));
        assertThat(aws.sqsMessagesSent()).as("no notify queue configured").isEmpty();
    }

    @Test
    void exitsNonZeroNamingWhatIsMissingWhenTheGateActionGetsAnotherEvent() throws Exception {
        Result result = run("pipeline-gate", "events/gantry-ecs-lifecycle-hook-payments-api-prod.json");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("invoke pipeline-gate: failed: MalformedEventException: expected a CodePipeline job event");
        assertThat(result.stdout()).isBlank();
        assertThat(aws.server.getAllServeEvents()).isEmpty();
    }


    private static Result run(String function, String eventFile) throws IOException, InterruptedException {
        return InvokeScript.run(environment(), function, eventFile);
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", LoopbackAws.gatedConfigFile().toString());
        env.put("GANTRY_TABLE", LoopbackAws.TABLE);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.server.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
