package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import dev.gantry.core.pipeline.ArtifactReader.ArtifactReadException;
import dev.gantry.core.pipeline.PipelineJobReport.Disposition;
import dev.gantry.core.pipeline.PipelineJobReport.Outcome;
import dev.gantry.core.pipeline.PipelineJobs.PipelineJobsException;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineDeployServiceTest {

    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String PINNED = REGISTRY + "/payments-api@" + DIGEST;
    /** When the image {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over was pushed. */
    private static final Instant PUSHED = Instant.parse("2026-11-23T09:58:12Z");
    private static final String LOG_ROUTER = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";
    // The credentials of the AWS Lambda Developer Guide's sample job: obviously not real.
    private static final ArtifactAccess ACCESS = new ArtifactAccess("AKIAIOSFODNN7EXAMPLE", "6CGtmAa3lzWtV7a...", "IQoJb3JpZ2luX2VjEA...");
    private static final String STAGING = "{\"service\":\"payments-api\",\"environment\":\"staging\"}";
    private static final String PROD = "{\"service\":\"payments-api\",\"environment\":\"prod\"}";
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111111111111-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");

    private final GantryConfig config = Fixtures.exampleConfig();
    private final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    private final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    private final InMemoryDeployControls controls = new InMemoryDeployControls();
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
    private final InMemoryJobLedger ledger = new InMemoryJobLedger();
    private final PipelineDeployService service = new PipelineDeployService(config,
            new DeployService(config, ecs, releases, controls, clock), artifacts, registry, jobs, ledger, clock);

    @BeforeEach
    void givenRunningServices() {
        registry.givenImage(PINNED, PUSHED);
        for (EnvironmentConfig environment : config.services().get(0).environments()) {
            ecs.givenService(EcsServiceRef.of(environment), "payments-api-" + environment.cluster(), List.of(
                    new ContainerImage("app", REGISTRY + "/payments-api:1.3.0"),
                    new ContainerImage("log-router", LOG_ROUTER)));
        }
    }

    @Test
    void deploysThePinnedImageOfTheArtifactAndPutsOneSuccess() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        assertThat(ecs.running(staging()).containers()).containsExactly(new ContainerImage("app", PINNED), new ContainerImage("log-router", LOG_ROUTER));
        assertThat(jobs.puts()).singleElement().satisfies(put -> {
            assertThat(put.jobId()).isEqualTo("job-1");
            assertThat(put.result()).isInstanceOf(JobResult.Succeeded.class);
            assertThat(put.result().message()).startsWith("payments-api/staging: deployed " + PINNED).contains("payments-api-staging:2");
        });
        assertThat(report.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(ledger.find("job-1").orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(registry.lookups()).as("asked by digest, for when it was pushed").containsExactly(ImageReference.parse(PINNED));
    }

    @Test
    void waitsWhileAnotherInvocationDeploysTheReleaseAndDeploysItItselfOnceThatOnesLeaseHasRunOut() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        ReleaseKey release = new ReleaseKey("payments-api", "staging", new ImageDigest(DIGEST));
        releases.claim(Release.proposed(release, "1.4.0", PINNED, "push-1", "inv-that-dies", clock.instant().plusSeconds(60), clock.instant()),
                clock.instant(), Duration.ofSeconds(60));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(ecs.calls()).isEmpty();
        assertThat(jobs.puts()).singleElement().satisfies(put -> {
            assertThat(put.result()).isInstanceOf(JobResult.Continued.class);
            assertThat(put.result().message()).startsWith("payments-api/staging: waiting for another invocation deploying " + PINNED)
                    .contains("being deployed by another invocation");
            assertThat(((JobResult.Continued) put.result()).continuationToken()).contains("\"waitingFor\":\"deploy\"");
        });

        clock.advance(Duration.ofSeconds(61));
        service.run(job("job-2", STAGING), "inv-2");

        assertThat(jobs.puts()).hasSize(2).last().satisfies(put -> {
            assertThat(put.jobId()).isEqualTo("job-2");
            assertThat(put.result()).isInstanceOf(JobResult.Succeeded.class);
            assertThat(put.result().message()).startsWith("payments-api/staging: deployed " + PINNED);
        });
        assertThat(ecs.calls("UpdateService")).hasSize(1);
        assertThat(ecs.running(staging()).containers().get(0).image()).isEqualTo(PINNED);
    }

    @Test
    void stopsThePipelineSayingWhatADryRunWouldHaveDeployed() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        PipelineDeployService dryRun = new PipelineDeployService(config, new DeployService(config, ecs, releases, controls, clock).dryRun(),
                artifacts, registry, jobs, ledger, clock);

        dryRun.run(job("job-1", STAGING), "inv-1");

        assertThat(ecs.calls()).isEmpty();
        assertThat(jobs.puts()).singleElement().satisfies(put -> {
            assertThat(put.result()).isInstanceOf(JobResult.Failed.class);
            assertThat(put.result().message()).startsWith("dry run (GANTRY_DRY_RUN): nothing was deployed.")
                    .contains("would register a revision of").contains("app: payments-api:1.3.0 -> payments-api");
        });
    }

    @Test
    void readsTheArtifactWithTheCredentialsOfTheJob() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(artifacts.reads()).singleElement().satisfies(read -> {
            assertThat(read.location()).isEqualTo(BUILD_OUTPUT);
            assertThat(read.access()).isSameAs(ACCESS);
        });
    }

    @Test
    void pinsATagOnlyImageToTheDigestTheRegistryResolves() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        registry.givenTag(REGISTRY + "/payments-api:1.4.0", new ImageDigest(DIGEST));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(registry.lookups()).containsExactly(ImageReference.parse(REGISTRY + "/payments-api:1.4.0"));
        assertThat(ecs.running(staging()).containers().get(0).image()).isEqualTo(PINNED);
        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result().message()).contains("(tag 1.4.0)"));
    }

    @Test
    void refusesALatePipelineRunOfAnImagePushedBeforeTheOneTheEnvironmentRunsAsADowngrade() {
        String olderDigest = "sha256:" + "a1".repeat(32);
        String newerDigest = "sha256:" + "b2".repeat(32);
        registry.givenTag(REGISTRY + "/payments-api:main-a1a1a1a", new ImageDigest(olderDigest), Instant.parse("2026-11-23T09:40:00Z"));
        registry.givenTag(REGISTRY + "/payments-api:main-b2b2b2b", new ImageDigest(newerDigest), Instant.parse("2026-11-23T09:50:00Z"));
        givenImageDefinitionsByTag("main-b2b2b2b");
        service.run(job("job-1", STAGING), "inv-1");
        givenImageDefinitionsByTag("main-a1a1a1a");
        clock.advance(Duration.ofMinutes(5));

        PipelineJobReport late = service.run(job("job-2", STAGING), "inv-2");

        assertThat(late.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(jobs.puts("job-2")).singleElement().satisfies(put -> assertThat(put.result().message())
                .contains("did not take " + REGISTRY + "/payments-api@" + olderDigest + " (SKIPPED)")
                .contains("pushed before what staging runs: main-a1a1a1a at 2026-11-23T09:40:00Z < main-b2b2b2b at 2026-11-23T09:50:00Z")
                .contains("Gantry never downgrades"));
        assertThat(ecs.running(staging()).containers().get(0).image()).isEqualTo(REGISTRY + "/payments-api@" + newerDigest);
        assertThat(ecs.calls("UpdateService")).hasSize(1);
    }

    @Test
    void recordsWhenTheRegistryReceivedAnImageHandedOverByDigest() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(registry.lookups()).containsExactly(ImageReference.parse(PINNED));
        assertThat(releases.history("payments-api", "staging")).singleElement()
                .satisfies(release -> assertThat(release.pushedAt()).isEqualTo(PUSHED));
    }

    @Test
    void failsTheJobWhenTheDigestItHandsOverIsNotInTheRegistry() {
        String unknown = REGISTRY + "/payments-api@sha256:" + "c3".repeat(32);
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of("imagedefinitions.json",
                "[{\"name\":\"app\",\"imageUri\":\"" + unknown + "\"}]")));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure()).isEqualTo(new JobResult.Failed(JobFailureType.JOB_FAILED,
                "no image sha256:" + "c3".repeat(32) + " in repository payments-api"));
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void deploysAnImageHandedOverByDigestWithoutAPushTimeWhenTheRegistryRefusesToSay() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        registry.refuseLookups(new ImageRegistry.ImageAccessDeniedException("DescribeImages of payments-api was refused: "
                + "AccessDeniedException (HTTP 400)", null));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(releases.history("payments-api", "staging")).singleElement()
                .satisfies(release -> assertThat(release.pushedAt()).isNull());
    }

    @Test
    void failsTheJobOfAnImageHandedOverByDigestWhenTheRegistryFailsRatherThanDeployWithoutItsPushTime() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        registry.refuseLookups(new ImageRegistry.ImageRegistryException("DescribeImages of payments-api was refused: "
                + "ThrottlingException (HTTP 400)", null));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void failsTheJobWhenTheRegistryRefusesToPinAnImageHandedOverByTag() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        registry.refuseLookups(new ImageRegistry.ImageRegistryException("DescribeImages of payments-api:1.4.0 was refused: "
                + "AccessDeniedException (HTTP 400)", null));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void failsTheJobWhenTheTagIsNotInTheRegistry() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure()).isEqualTo(new JobResult.Failed(JobFailureType.JOB_FAILED, "no image tagged '1.4.0' in repository payments-api"));
        assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void takesTheDigestAndTagOfImageDetailAskingTheRegistryOnlyWhenThatDigestWasPushed() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDetail(PipelineArtifacts.IMAGE_DETAIL));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(registry.lookups()).containsExactly(ImageReference.parse(PINNED));
        assertThat(ecs.running(staging()).containers().get(0).image()).isEqualTo(PINNED);
        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result().message()).contains("(tag 1.4.0)"));
        assertThat(releases.history("payments-api", "staging")).singleElement()
                .satisfies(release -> assertThat(release.tag()).isEqualTo("1.4.0"));
    }

    @Test
    void failsAGatedEnvironmentNamingItsGateAndDeploysNothing() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));

        service.run(job("job-1", PROD), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(failure.message()).startsWith("environment prod of payments-api is behind gate 'production'");
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void failsAVetoedDigestWithTheVeto() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        controls.veto(new DeployControls.Veto("payments-api", "staging", new ImageDigest(DIGEST), "rolled back: 5xx", "ecs", clock.instant()));

        service.run(job("job-1", STAGING), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failure.message()).contains("did not take " + PINNED).contains("vetoed").contains("rolled back: 5xx");
        assertThat(ecs.calls()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "input_parameter|UserParameters is not valid JSON",
            "{\"KEY\": \"VALUE\"}|unknown key 'KEY'",
            "{\"service\":\"payments-api\"}|UserParameters has no 'environment'",
            "{\"service\":\"payments-api\",\"environment\":7}|'environment' must be a non-empty string, not a number",
            "[\"payments-api\",\"staging\"]|must be a JSON object, not an array",
            "{\"service\":\"payments-api\",\"service\":\"checkout-web\",\"environment\":\"staging\"}|UserParameters is not valid JSON (Duplicate field 'service')",
            "{\"service\":\"billing\",\"environment\":\"staging\"}|service 'billing', which is not in Gantry's configuration (services: payments-api, checkout-web)",
            "{\"service\":\"payments-api\",\"environment\":\"qa\"}|environment 'qa', which service 'payments-api' does not have (it has: staging, prod)",
            "{\"service\":\"payments-api\",\"environment\":\"staging\",\"pipelineExecutionId\":\"#{codepipeline.PipelineExecutionId}\"}"
                    + "|'pipelineExecutionId' must be a pipeline execution's id, as #{codepipeline.PipelineExecutionId} resolves, not"
                    + " '#{codepipeline.PipelineExecutionId}'",
            "{\"service\":\"payments-api\",\"environment\":\"staging\",\"pipelineExecutionId\":42}|'pipelineExecutionId' must be a"
                    + " pipeline execution's id, as #{codepipeline.PipelineExecutionId} resolves, not a number"})
    void rejectsUserParametersThatDoNotNameAConfiguredServiceAndEnvironment(String userParameters, String problem) {
        service.run(job("job-1", userParameters), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(failure.message()).contains(problem);
        assertThat(artifacts.reads()).isEmpty();
    }

    @Test
    void explainsWhatUserParametersMustBeWhenTheyAreMissing() {
        service.run(job("job-1", null), "inv-1");

        assertThat(failure().message()).isEqualTo("the action has no UserParameters. Set the action's UserParameters to the service and"
                + " environment to deploy, e.g. {\"service\":\"payments-api\",\"environment\":\"staging\"}");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "imagedefinitions.json|not json|holds an imagedefinitions.json that is not JSON",
            "imagedefinitions.json|{\"name\":\"app\"}|holds an imagedefinitions.json that is not a list",
            "imagedefinitions.json|[{\"name\":\"app\"}]|whose entry 0 has no imageUri",
            "imageDetail.json|{\"ImageTags\":[\"1.4.0\"]}|holds an imageDetail.json without ImageURI",
            "imagedefinitions.json|[{\"name\":\"app\",\"imageUri\":\"" + REGISTRY + "/payments-api@sha256:0734\"}]|must be 'sha256:' followed by 64"})
    void failsTheJobForAMalformedArtifact(String file, String content, String problem) {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of(file, content)));

        service.run(job("job-1", STAGING), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failure.message()).contains(problem);
        assertThat(ecs.calls()).isEmpty();
    }

    @Test
    void failsAnArtifactWithoutImageFilesListingWhatItHolds() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(),
                PipelineArtifacts.zip(Map.of("build/app.jar", "jar", "appspec.yaml", "version: 0.0")));

        service.run(job("job-1", STAGING), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(failure.message()).startsWith("no input artifact holds imagedefinitions.json or imageDetail.json at its root: BuildArtifact")
                .contains("build/app.jar").contains("appspec.yaml");
    }

    @Test
    void failsAnArtifactThatIsNotAZip() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), "[{\"name\":\"app\"}]".getBytes());

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure().message()).isEqualTo("input artifact BuildArtifact is not a ZIP archive, or an empty one");
    }

    @Test
    void failsImageDefinitionsThatNameNoImageOfTheService() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of("imagedefinitions.json",
                "[{\"name\":\"web\",\"imageUri\":\"" + REGISTRY + "/checkout-web:release-42\"}]")));

        service.run(job("job-1", STAGING), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(failure.message()).contains("imagedefinitions.json names no image of service 'payments-api'")
                .contains("no name is one of the containers [app]").contains("web -> " + REGISTRY + "/checkout-web:release-42");
    }

    @Test
    void failsImageDefinitionsThatNameTwoImagesOfTheService() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of("imagedefinitions.json",
                "[{\"name\":\"app\",\"imageUri\":\"" + REGISTRY + "/payments-api:1.4.0\"},"
                        + "{\"name\":\"worker\",\"imageUri\":\"" + REGISTRY + "/payments-api:1.4.1\"}]")));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure().message()).contains("names more than one image for service 'payments-api'");
        assertThat(registry.lookups()).isEmpty();
    }

    @Test
    void failsAJobWithoutInputArtifact() {
        service.run(new PipelineJob("job-1", "111111111111", STAGING, List.of(), ACCESS), "inv-1");

        assertThat(failure()).isEqualTo(new JobResult.Failed(JobFailureType.CONFIGURATION_ERROR,
                "the action has no input artifact: give it the artifact that holds imagedefinitions.json or imageDetail.json"));
    }

    @Test
    void failsTheJobWithTheReasonWhenTheDeployFails() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        ecs.failNextUpdateService(new EcsGateway.EcsGatewayException("UpdateService timed out", null));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");

        JobResult.Failed failure = failure();
        assertThat(failure.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failure.message()).startsWith("deploy failed: ").contains("payments-api/staging: UpdateService timed out");
        assertThat(report.disposition()).isEqualTo(Disposition.COMPLETED);
    }

    @Test
    void failsTheJobWhenTheArtifactCannotBeRead() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        artifacts.failNextRead(new ArtifactReadException("input artifact BuildArtifact: S3 refused the job's credentials (AccessDenied, 403)", null));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure()).isEqualTo(new JobResult.Failed(JobFailureType.JOB_FAILED,
                "input artifact BuildArtifact: S3 refused the job's credentials (AccessDenied, 403)"));
    }

    @Test
    void neverPutsTheJobsCredentialsIntoAFailureMessage() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        artifacts.failNextRead(new ArtifactReadException("S3 echoed the request: key " + ACCESS.accessKeyId() + ", secret "
                + ACCESS.secretAccessKey() + ", token " + ACCESS.sessionToken(), null));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure().message())
                .doesNotContain(ACCESS.accessKeyId()).doesNotContain(ACCESS.secretAccessKey()).doesNotContain(ACCESS.sessionToken())
                .isEqualTo("S3 echoed the request: key [redacted], secret [redacted], token [redacted]");
    }

    @Test
    void keepsTheDetailsOfAnUnexpectedErrorInTheLog() {
        artifacts.failNextRead(new IllegalStateException("internal detail nobody outside should read"));

        service.run(job("job-1", STAGING), "inv-7");

        assertThat(failure()).isEqualTo(new JobResult.Failed(JobFailureType.JOB_FAILED,
                "Gantry failed unexpectedly while running this job (invocation inv-7); its log has the details"));
    }

    @Test
    void cutsAFailureMessageToTheLengthCodePipelineAccepts() {
        StringBuilder entries = new StringBuilder("[");
        for (int i = 0; i < 100; i++) {
            entries.append(i == 0 ? "" : ",").append("{\"name\":\"sidecar-").append(i).append("\",\"imageUri\":\"")
                    .append(REGISTRY).append("/sidecar-").append(i).append(":1.0.").append(i).append("\"}");
        }
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(),
                PipelineArtifacts.zip(Map.of("imagedefinitions.json", entries.append("]").toString())));

        service.run(job("job-1", STAGING), "inv-1");

        assertThat(failure().message()).hasSize(PipelineJobs.MAX_FAILURE_MESSAGE_LENGTH).endsWith("…");
    }

    @Test
    void putsOneResultWhenTheSameJobArrivesAgain() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        service.run(job("job-1", STAGING), "inv-1");
        clock.advance(Duration.ofMinutes(3));

        PipelineJobReport again = service.run(job("job-1", STAGING), "inv-2");

        assertThat(jobs.puts()).hasSize(1);
        assertThat(again.disposition()).isEqualTo(Disposition.ALREADY_COMPLETED);
        assertThat(again.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(artifacts.reads()).hasSize(1);
        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
    }

    @Test
    void putsOneResultWhenCopiesOfTheJobRunConcurrently() throws Exception {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        int copies = 8;
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<PipelineJobReport>> reports = new ArrayList<>();
        try {
            for (int i = 0; i < copies; i++) {
                String invocation = "inv-" + i;
                reports.add(pool.submit(() -> {
                    start.await();
                    return service.run(job("job-1", STAGING), invocation);
                }));
            }
            start.countDown();
            List<Disposition> dispositions = new ArrayList<>();
            for (Future<PipelineJobReport> report : reports) {
                dispositions.add(report.get().disposition());
            }

            assertThat(jobs.puts()).hasSize(1);
            assertThat(dispositions).containsOnlyOnce(Disposition.COMPLETED)
                    .isSubsetOf(Disposition.COMPLETED, Disposition.IN_PROGRESS_ELSEWHERE, Disposition.ALREADY_COMPLETED);
            assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void leavesAJobThatALiveInvocationHoldsToThatInvocation() {
        ledger.claim("job-1", "inv-live", clock.instant(), PipelineDeployService.DEFAULT_LEASE);
        clock.advance(Duration.ofSeconds(10));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-2");

        assertThat(report.disposition()).isEqualTo(Disposition.IN_PROGRESS_ELSEWHERE);
        assertThat(report.outcome()).isNull();
        assertThat(jobs.puts()).isEmpty();
        assertThat(artifacts.reads()).isEmpty();
    }

    @Test
    void takesOverAJobWhoseInvocationDiedOnceItsLeaseRunsOut() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        ledger.claim("job-1", "inv-dead", clock.instant(), PipelineDeployService.DEFAULT_LEASE);
        clock.advance(PipelineDeployService.DEFAULT_LEASE.plusSeconds(1));

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-retry");

        assertThat(report.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result()).isInstanceOf(JobResult.Succeeded.class));
        assertThat(ledger.find("job-1").orElseThrow().owner()).isEqualTo("inv-retry");
    }

    @Test
    void treatsAJobCodePipelineAlreadyCompletedAsDone() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        jobs.givenCompleted("job-1");

        PipelineJobReport report = service.run(job("job-1", STAGING), "inv-1");
        PipelineJobReport again = service.run(job("job-1", STAGING), "inv-2");

        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.accepted()).isFalse());
        assertThat(report.disposition()).isEqualTo(Disposition.ALREADY_COMPLETED);
        assertThat(report.outcome()).isEqualTo(Outcome.COMPLETED_ELSEWHERE);
        assertThat(ledger.find("job-1").orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(again.disposition()).isEqualTo(Disposition.ALREADY_COMPLETED);
        assertThat(artifacts.reads()).hasSize(1);
    }

    @Test
    void failsTheInvocationWhenTheResultCannotBePutAndLetsTheRetryFinishTheJob() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        jobs.failNextPut(new PipelineJobsException("PutJobSuccessResult failed: connection reset", null));

        assertThatThrownBy(() -> service.run(job("job-1", STAGING), "inv-1"))
                .isInstanceOf(PipelineJobsException.class)
                .hasMessageContaining("connection reset");
        clock.advance(Duration.ofSeconds(1));
        PipelineJobReport retry = service.run(job("job-1", STAGING), "inv-2");

        assertThat(retry.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result().message()).contains("already deployed"));
        assertThat(ecs.calls("RegisterTaskDefinition")).hasSize(1);
        assertThat(ecs.calls("UpdateService")).hasSize(1);
    }

    @Test
    void reportsTheJobCompletedWhenOnlyItsRecordCouldNotBeWritten() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        JobLedger failingToComplete = new JobLedger() {
            @Override
            public Claim claim(String jobId, String owner, Instant now, Duration lease) {
                return ledger.claim(jobId, owner, now, lease);
            }

            @Override
            public void complete(String jobId, String owner, JobResult result, Instant now) {
                throw new JobLedgerException("DynamoDB unreachable", null);
            }

            @Override
            public void abandon(String jobId, String owner, Instant now) {
                ledger.abandon(jobId, owner, now);
            }

            @Override
            public java.util.Optional<JobRecord> find(String jobId) {
                return ledger.find(jobId);
            }
        };
        PipelineDeployService withFlakyLedger = new PipelineDeployService(config, new DeployService(config, ecs, releases, controls, clock),
                artifacts, registry, jobs, failingToComplete, clock);

        PipelineJobReport report = withFlakyLedger.run(job("job-1", STAGING), "inv-1");

        assertThat(report.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(jobs.puts()).hasSize(1);
    }

    @Test
    void looksForTheImageInTheFirstArtifactThatHasAnImageFile() {
        ArtifactLocation source = new ArtifactLocation("SourceArtifact", BUILD_OUTPUT.bucket(), "payments-api/SourceArti/Ab1cDe2");
        artifacts.givenArtifact(source.bucket(), source.key(), PipelineArtifacts.zip(Map.of("buildspec.yml", "version: 0.2")));
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.imageDetail(PipelineArtifacts.IMAGE_DETAIL));

        service.run(new PipelineJob("job-1", "111111111111", STAGING, List.of(source, BUILD_OUTPUT), ACCESS), "inv-1");

        assertThat(jobs.puts()).singleElement().satisfies(put -> assertThat(put.result()).isInstanceOf(JobResult.Succeeded.class));
        assertThat(artifacts.reads()).extracting(InMemoryArtifactReader.Read::location).containsExactly(source, BUILD_OUTPUT);
    }

    private void givenImageDefinitionsByTag(String tag) {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of("imagedefinitions.json",
                "[{\"name\":\"app\",\"imageUri\":\"" + REGISTRY + "/payments-api:" + tag + "\"}]")));
    }

    private static PipelineJob job(String id, String userParameters) {
        return new PipelineJob(id, "111111111111", userParameters, List.of(BUILD_OUTPUT), ACCESS);
    }

    private EcsServiceRef staging() {
        return EcsServiceRef.of(config.services().get(0).environments().get(0));
    }

    private JobResult.Failed failure() {
        assertThat(jobs.puts()).hasSize(1);
        JobResult result = jobs.puts().get(0).result();
        assertThat(result).isInstanceOf(JobResult.Failed.class);
        return (JobResult.Failed) result;
    }
}
