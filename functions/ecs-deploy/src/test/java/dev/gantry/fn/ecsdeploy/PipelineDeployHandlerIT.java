package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.aws.DynamoDbJobLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3ArtifactReader;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SdkPipelineJobs;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.pipeline.JobStatus;
import dev.gantry.core.pipeline.PipelineDeployService;
import dev.gantry.core.pipeline.PipelineJobs.PipelineJobsException;
import dev.gantry.core.pipeline.UnreadableJobException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.PipelineArtifacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The pipeline entry point as Lambda runs it: the real SDK adapters against one loopback server speaking
 * S3, ECR, CodePipeline and ECS, and DynamoDB Local for releases and job records.
 */
class PipelineDeployHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonProtocolWire CODEPIPELINE = JsonProtocolWire.CODEPIPELINE;
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String BUCKET = "eu-west-1-111111111111-payments-api";
    private static final String STAGING_KEY = "payments-api/BuildArtif/Gx7mPq2";
    private static final String PROD_KEY = "payments-api/BuildArtif/Jz9oSs4";
    private static final String STAGING_JOB = "d1e87542-c1f8-xmpl-a8f4-f9ff897fc7a7";
    // The artifact credentials the sample jobs carry (the AWS Lambda Developer Guide's obviously fake ones).
    private static final String JOB_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String JOB_SECRET = "6CGtmAa3lzWtV7a...";
    private static final String JOB_SESSION_TOKEN = "IQoJb3JpZ2luX2VjEA...";

    private static LoopbackAws aws;
    private static EcsClient ecsClient;
    private static CodePipelineClient codePipelineClient;
    private static EcrClient ecrClient;
    private static SdkHttpClient http;
    private PipelineDeployHandler handler;
    private DynamoDbJobLedger ledger;
    private DynamoDbReleaseStore releases;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
        URI endpoint = URI.create(aws.ecs.baseUrl());
        StaticCredentialsProvider functionCredentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        ecsClient = EcsWire.client(aws.ecs);
        http = UrlConnectionHttpClient.create();
        // No retries: the tests count what went over the wire.
        codePipelineClient = CodePipelineClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).httpClient(http)
                .credentialsProvider(functionCredentials).overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        ecrClient = EcrClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).httpClient(http)
                .credentialsProvider(functionCredentials).build();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        ecsClient.close();
        codePipelineClient.close();
        ecrClient.close();
        http.close();
        aws.close();
    }

    @BeforeEach
    void freshStateAndStubs() {
        aws.ecs.resetAll();
        aws.stubStagingService();
        aws.stubPipelineJobResults();
        aws.stubPipelineArtifact(BUCKET, STAGING_KEY, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubPipelineArtifact(BUCKET, PROD_KEY, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag("payments-api", "1.4.0", DIGEST);
        String table = "gantry-" + System.nanoTime();
        StateTable.createIfMissing(aws.dynamo, table);
        ledger = new DynamoDbJobLedger(aws.dynamo, table);
        GantryConfig config = Fixtures.exampleConfig();
        releases = new DynamoDbReleaseStore(aws.dynamo, table);
        DeployService deploys = new DeployService(config, new SdkEcsGateway(ecsClient), releases,
                new InMemoryDeployControls(), Clock.systemUTC());
        handler = new PipelineDeployHandler(new PipelineDeployService(config, deploys,
                new S3ArtifactReader(http, Region.EU_WEST_1, URI.create(aws.ecs.baseUrl()), true),
                new SdkImageRegistry(ecrClient), new SdkPipelineJobs(codePipelineClient), ledger, Clock.systemUTC()));
    }

    @Test
    void deploysTheImageOfTheJobsArtifactAndPutsTheSuccessOnTheWire() throws Exception {
        JsonNode answer = invoke("gantry-codepipeline-job-payments-api-staging.json");

        LoggedRequest get = S3Wire.gets(aws.ecs, BUCKET, STAGING_KEY).get(0);
        assertThat(get.getHeader("Authorization")).contains("Credential=" + JOB_ACCESS_KEY_ID + "/").doesNotContain("testaccesskey");
        JsonNode describeImages = JsonProtocolWire.ECR.requests(aws.ecs, "DescribeImages").get(0);
        assertThat(describeImages.at("/registryId").asText()).isEqualTo("111111111111");
        assertThat(describeImages.at("/repositoryName").asText()).isEqualTo("payments-api");
        assertThat(describeImages.at("/imageIds/0/imageTag").asText()).isEqualTo("1.4.0");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0).at("/containerDefinitions/0/image").asText())
                .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST);
        assertThat(EcsWire.requests(aws.ecs, "UpdateService").get(0).at("/taskDefinition").asText()).isEqualTo(LoopbackAws.NEW_ARN);
        JsonNode success = CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult").get(0);
        assertThat(success.at("/jobId").asText()).isEqualTo(STAGING_JOB);
        assertThat(success.at("/executionDetails/summary").asText())
                .startsWith("payments-api/staging: deployed " + LoopbackAws.REGISTRY + "/payments-api@" + DIGEST + " (tag 1.4.0)")
                .contains(LoopbackAws.NEW_ARN);
        assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult")).isEmpty();
        assertThat(answer.at("/jobId").asText()).isEqualTo(STAGING_JOB);
        assertThat(answer.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(answer.at("/outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(ledger.find(STAGING_JOB).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    }

    @Test
    void deploysAnImageHandedOverByDigestRecordingWhenEcrSaysItWasPushed() throws Exception {
        aws.stubPipelineArtifact(BUCKET, STAGING_KEY, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        aws.stubEcrImage("payments-api", DIGEST, "1795427892.125");

        JsonNode answer = invoke("gantry-codepipeline-job-payments-api-staging.json");

        assertThat(answer.at("/outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(JsonProtocolWire.ECR.requests(aws.ecs, "DescribeImages")).singleElement().satisfies(describe -> {
            assertThat(describe.at("/imageIds/0/imageDigest").asText()).isEqualTo(DIGEST);
            assertThat(describe.at("/imageIds/0").has("imageTag")).isFalse();
        });
        assertThat(releases.history("payments-api", "staging")).singleElement()
                .satisfies(release -> assertThat(release.pushedAt()).isEqualTo(Instant.parse("2026-11-23T09:58:12.125Z")));
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0).at("/containerDefinitions/0/image").asText())
                .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST);
        assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult").get(0).at("/executionDetails/summary").asText())
                .startsWith("payments-api/staging: deployed " + LoopbackAws.REGISTRY + "/payments-api@" + DIGEST + ". ");
    }

    @Test
    void putsOneResultWhenTheSameJobArrivesTwice() throws Exception {
        invoke("gantry-codepipeline-job-payments-api-staging.json");

        JsonNode second = invoke("gantry-codepipeline-job-payments-api-staging.json");

        assertThat(second.at("/disposition").asText()).isEqualTo("ALREADY_COMPLETED");
        assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult")).hasSize(1);
        assertThat(S3Wire.gets(aws.ecs, BUCKET, STAGING_KEY)).hasSize(1);
        assertThat(EcsWire.requests(aws.ecs, "UpdateService")).hasSize(1);
    }

    @Test
    void putsOneResultWhenCopiesOfTheJobArriveAtOnce() throws Exception {
        int copies = 6;
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<JsonNode>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < copies; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return invoke("gantry-codepipeline-job-payments-api-staging.json");
                }));
            }
            start.countDown();
            List<String> dispositions = new ArrayList<>();
            for (Future<JsonNode> answer : answers) {
                dispositions.add(answer.get().at("/disposition").asText());
            }

            assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult")).hasSize(1);
            assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult")).isEmpty();
            assertThat(dispositions).containsOnlyOnce("COMPLETED");
            assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void failsAJobForAGatedEnvironmentAsAConfigurationError() throws Exception {
        JsonNode answer = invoke("gantry-codepipeline-job-payments-api-prod.json");

        JsonNode failure = CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult").get(0);
        assertThat(failure.at("/jobId").asText()).isEqualTo("e2f98653-d209-xmpl-b905-0a00908ad8b8");
        assertThat(failure.at("/failureDetails/type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.at("/failureDetails/message").asText()).startsWith("environment prod of payments-api is behind gate 'production'");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).isEmpty();
        assertThat(answer.at("/outcome").asText()).isEqualTo("FAILED");
        assertThat(answer.at("/failureType").asText()).isEqualTo("CONFIGURATION_ERROR");
    }

    @Test
    void rejectsTheActionReferenceSamplesUserParametersWithoutReadingItsArtifact() throws Exception {
        invoke("codepipeline-job-lambda-invoke.action-reference.json");

        JsonNode failure = CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult").get(0);
        assertThat(failure.at("/jobId").asText()).isEqualTo("11111111-abcd-1111-abcd-111111abcdef");
        assertThat(failure.at("/failureDetails/type").asText()).isEqualTo("ConfigurationError");
        assertThat(failure.at("/failureDetails/message").asText()).startsWith("UserParameters is not valid JSON")
                .endsWith("e.g. {\"service\":\"payments-api\",\"environment\":\"staging\"}");
        assertThat(aws.ecs.findAll(WireMock.getRequestedFor(WireMock.anyUrl()))).isEmpty();
    }

    /**
     * A job whose id can be read but whose data cannot: the pipeline is told why instead of waiting out its timeout, and
     * the invocation still fails, so the event reaches the failure queue.
     */
    @Test
    void tellsThePipelineWhyItsJobCouldNotBeReadAndFailsTheInvocation() throws Exception {
        String withoutCredentials = Fixtures.eventText("gantry-codepipeline-job-payments-api-staging.json")
                .replaceAll("\"artifactCredentials\"\\s*:\\s*\\{[^}]*\\}", "\"artifactCredentials\": null");
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThatThrownBy(() -> handler.handleRequest(new ByteArrayInputStream(withoutCredentials.getBytes(StandardCharsets.UTF_8)),
                out, new LocalContext("gantry-pipeline-deploy", 60_000)))
                .isInstanceOf(UnreadableJobException.class);

        assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult")).singleElement().satisfies(failure -> {
            assertThat(failure.at("/jobId").asText()).isEqualTo(STAGING_JOB);
            assertThat(failure.at("/failureDetails/type").asText()).isEqualTo("JobFailed");
            assertThat(failure.at("/failureDetails/message").asText())
                    .isEqualTo("Gantry could not read this job's event, so it did not run it: CodePipeline.job.data.artifactCredentials: missing");
        });
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).isEmpty();
    }

    @Test
    void failsAJobWhoseTagIsNotInEcr() throws Exception {
        aws.ecs.stubFor(JsonProtocolWire.ECR.operation("DescribeImages").atPriority(10).willReturn(JsonProtocolWire.error(
                "ImageNotFoundException", "The image with imageId {imageDigest:'null', imageTag:'1.4.0'} does not exist")));
        aws.ecs.removeStub(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(WireMock.matchingJsonPath("$.imageIds[0].imageTag", WireMock.equalTo("1.4.0"))));

        invoke("gantry-codepipeline-job-payments-api-staging.json");

        JsonNode failure = CODEPIPELINE.requests(aws.ecs, "PutJobFailureResult").get(0);
        assertThat(failure.at("/failureDetails/type").asText()).isEqualTo("JobFailed");
        assertThat(failure.at("/failureDetails/message").asText())
                .isEqualTo("no image tagged '1.4.0' in ECR repository payments-api (111111111111, eu-west-1)");
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).isEmpty();
    }

    @Test
    void neverSendsTheJobsCredentialsToCodePipeline() throws Exception {
        aws.ecs.stubFor(S3Wire.getObject(BUCKET, STAGING_KEY).willReturn(S3Wire.error(403, "AccessDenied",
                "Access Denied for " + JOB_ACCESS_KEY_ID + " signed with " + JOB_SECRET + " and " + JOB_SESSION_TOKEN)));

        invoke("gantry-codepipeline-job-payments-api-staging.json");

        List<LoggedRequest> failures = CODEPIPELINE.logged(aws.ecs, "PutJobFailureResult");
        assertThat(failures).hasSize(1);
        String body = failures.get(0).getBodyAsString();
        assertThat(body).doesNotContain(JOB_ACCESS_KEY_ID).doesNotContain(JOB_SECRET).doesNotContain(JOB_SESSION_TOKEN)
                .contains("AccessDenied (HTTP 403)").contains("\"type\":\"JobFailed\"");
    }

    @Test
    void failsTheInvocationWhenCodePipelineRefusesTheResultAndLetsTheRetryComplete() throws Exception {
        aws.ecs.stubFor(CODEPIPELINE.operation("PutJobSuccessResult").willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));

        assertThatThrownBy(() -> invoke("gantry-codepipeline-job-payments-api-staging.json"))
                .isInstanceOf(PipelineJobsException.class)
                .hasMessageContaining("ThrottlingException");
        assertThat(ledger.find(STAGING_JOB).orElseThrow().status()).isEqualTo(JobStatus.CLAIMED);
        aws.stubPipelineJobResults();
        JsonNode retry = invoke("gantry-codepipeline-job-payments-api-staging.json");

        assertThat(retry.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(retry.at("/message").asText()).contains("already deployed");
        assertThat(CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult")).hasSize(2);
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition")).hasSize(1);
    }

    private JsonNode invoke(String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-pipeline-deploy", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
