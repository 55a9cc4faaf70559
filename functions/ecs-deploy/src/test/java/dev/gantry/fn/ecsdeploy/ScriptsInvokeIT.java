package dev.gantry.fn.ecsdeploy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SqsWire;
import dev.gantry.core.notify.NewsTeller;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke} as a user runs it: a fresh JVM from the packaged function jar, configured only
 * through environment variables, with {@code AWS_ENDPOINT_URL} aiming the real SDK at loopback servers.
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
    void freshTable() {
        aws.ecs.resetRequests();
        aws.dynamo.deleteTable(r -> r.tableName(LoopbackAws.TABLE));
        dev.gantry.aws.StateTable.createIfMissing(aws.dynamo, LoopbackAws.TABLE);
    }

    @Test
    void registersARevisionPinnedToTheDigestAndUpdatesTheService() throws Exception {
        Result result = invoke(environment(), "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0).at("/containerDefinitions/0/image").asText())
                .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
        assertThat(EcsWire.requests(aws.ecs, "UpdateService").get(0).at("/taskDefinition").asText()).isEqualTo(LoopbackAws.NEW_ARN);
        assertThat(aws.releaseItems()).singleElement()
                .satisfies(item -> assertThat(item.get("status").s()).isEqualTo("SERVICE_UPDATED"));
        // The packaged jar logs as Lambda will: Powertools' JSON layout from log4j2.xml, INFO lines included.
        assertThat(result.stderr().lines().filter(line -> line.startsWith("{\"level\":\"INFO\"")))
                .anySatisfy(line -> assertThat(JSON.readTree(line).at("/message").asText()).contains("DEPLOYED"));
    }

    @Test
    void tellsTheDeploysNewsToTheNotifyQueueWhenReleaseThreadsAreOn() throws Exception {
        aws.stubSqsSendMessage();
        Map<String, String> env = environment();
        env.put("GANTRY_NOTIFY_QUEUE_URL", LoopbackAws.NOTIFY_QUEUE);

        Result result = invoke(env, "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(SqsWire.sent(aws.ecs)).isNotEmpty().allSatisfy(sent -> {
            assertThat(sent.at("/QueueUrl").asText()).isEqualTo(LoopbackAws.NOTIFY_QUEUE);
            assertThat(JSON.readTree(sent.at("/MessageBody").asText()).at("/service").asText()).isEqualTo("payments-api");
        });
    }

    /**
     * The deploy stands when its news cannot be queued, and the line saying so carries the field Gantry's operations count
     * and alarm on: without it, the invocation's success would hide a release thread gone quiet.
     */
    @Test
    void deploysWhenItsNewsCannotBeQueuedAndLogsTheFieldTheNewsAlarmCounts() throws Exception {
        aws.ecs.stubFor(SqsWire.sendMessage().willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/x-amz-json-1.0")
                .withBody("{\"__type\":\"com.amazon.coral.access#AccessDeniedException\",\"message\":\"not authorized to send\"}")));
        Map<String, String> env = environment();
        env.put("GANTRY_NOTIFY_QUEUE_URL", LoopbackAws.NOTIFY_QUEUE);

        Result result = invoke(env, "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(JSON.readTree(result.stdout()).at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(result.stderr().lines().filter(line -> line.startsWith("{\"level\":\"ERROR\""))).as(result.stderr())
                .anySatisfy(line -> assertThat(JSON.readTree(line).path(NewsTeller.UNTOLD_LOG_FIELD).asText()).startsWith("deploy/payments-api/staging/"));
    }

    @Test
    void printsThePlanAndChangesNothingInADryRun() throws Exception {
        Map<String, String> env = environment();
        env.put("GANTRY_DRY_RUN", "true");

        Result result = invoke(env, "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("PLANNED");
        assertThat(report.at("/outcomes/0/changes/0").asText()).isEqualTo("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).isEmpty();
        assertThat(EcsWire.requests(aws.ecs, "UpdateService")).isEmpty();
        assertThat(aws.releaseItems()).isEmpty();
    }

    @Test
    void exitsNonZeroWithTheReasonOnStderrWhenTheEventIsMalformed() throws Exception {
        Path broken = Path.of(System.getProperty("java.io.tmpdir"), "gantry-bad-digest-" + System.nanoTime() + ".json");
        java.nio.file.Files.writeString(broken, Fixtures.eventText("ecr-image-action-push-success.json")
                .replace("my-repository-name", "payments-api").replace("\"latest\"", "\"1.4.0\""));

        Result result = invoke(environment(), broken.toString());

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("invoke ecs-deploy: failed: MalformedEventException: detail.image-digest");
        assertThat(result.stdout()).isBlank();
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    @Test
    void exitsNonZeroNamingTheMissingConfiguration() throws Exception {
        Map<String, String> env = environment();
        env.remove("GANTRY_CONFIG");

        Result result = invoke(env, "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("init failed").contains("GANTRY_CONFIG");
    }

    @Test
    void explainsUsageErrorsWithExitCodeTwo() throws Exception {
        Result noArguments = run(environment());
        Result unknownFunction = run(environment(), "no-such-function", "events/gantry-ecr-push-payments-api-1.4.0.json");
        Result missingEvent = run(environment(), "ecs-deploy", "events/no-such-event.json");

        assertThat(noArguments.exitCode()).isEqualTo(2);
        assertThat(noArguments.stderr()).contains("usage: scripts/invoke FUNCTION EVENT_FILE").contains("ecs-deploy");
        assertThat(unknownFunction.exitCode()).isEqualTo(2);
        assertThat(unknownFunction.stderr()).contains("no function 'no-such-function'");
        assertThat(missingEvent.exitCode()).isEqualTo(2);
        assertThat(missingEvent.stderr()).contains("no event file 'events/no-such-event.json'");
    }

    @Test
    void completesAPipelineJobFromItsArtifactSignedWithTheJobsCredentials() throws Exception {
        String digest = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
        aws.stubPipelineArtifact("eu-west-1-111111111111-payments-api", "payments-api/BuildArtif/Gx7mPq2",
                dev.gantry.testing.PipelineArtifacts.imageDefinitions(dev.gantry.testing.PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag("payments-api", "1.4.0", digest);
        aws.stubPipelineJobResults();

        Result result = run(environment(), "pipeline-deploy", "events/gantry-codepipeline-job-payments-api-staging.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode answer = JSON.readTree(result.stdout());
        assertThat(answer.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(answer.at("/outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(dev.gantry.aws.S3Wire.gets(aws.ecs, "eu-west-1-111111111111-payments-api", "payments-api/BuildArtif/Gx7mPq2"))
                .singleElement()
                .satisfies(get -> assertThat(get.getHeader("Authorization")).contains("Credential=AKIAIOSFODNN7EXAMPLE/"));
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0).at("/containerDefinitions/0/image").asText())
                .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + digest);
        assertThat(dev.gantry.aws.JsonProtocolWire.CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult")).singleElement()
                .satisfies(put -> assertThat(put.at("/jobId").asText()).isEqualTo("d1e87542-c1f8-xmpl-a8f4-f9ff897fc7a7"));
        assertThat(aws.dynamo.scan(r -> r.tableName(LoopbackAws.TABLE)).items())
                .anySatisfy(item -> {
                    assertThat(item.get("pk").s()).isEqualTo("JOB#d1e87542-c1f8-xmpl-a8f4-f9ff897fc7a7");
                    assertThat(item.get("status").s()).isEqualTo("COMPLETED");
                });
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new java.util.HashMap<>();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put("GANTRY_TABLE", LoopbackAws.TABLE);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.ecs.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }


    private static Result invoke(Map<String, String> env, String eventFile) throws IOException, InterruptedException {
        return run(env, "ecs-deploy", eventFile);
    }

    private static Result run(Map<String, String> env, String... arguments) throws IOException, InterruptedException {
        return InvokeScript.run(env, arguments);
    }
}
