package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.pipeline.PipelineJobReport.Disposition;
import dev.gantry.core.pipeline.PipelineJobReport.Outcome;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryArtifactReader;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryJobLedger;
import dev.gantry.testing.InMemoryPipelineJobs;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.PipelineArtifacts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipelineGateServiceTest {

    /** The digest {@code events/gantry-imagedefinitions-payments-api-pinned.json} hands over. */
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String NEWER = "sha256:" + "b2".repeat(32);
    private static final String OLDER = "sha256:" + "a1".repeat(32);
    private static final String REGISTRY = "111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    private static final String FIRST_EXECUTION = "3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f";
    private static final String NEWER_EXECUTION = "5c0ffee0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";
    private static final String ACCESS_KEY_ID = "fake-access-key-id-for-gate-tests";
    private static final String SECRET_ACCESS_KEY = "fake-secret-access-key-for-gate-tests";
    private static final String SESSION_TOKEN = "fake-session-token-for-gate-tests";
    private static final ArtifactAccess ACCESS = new ArtifactAccess(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN);
    private static final String PROD = "{\"service\":\"payments-api\",\"environment\":\"prod\",\"triggeredBy\":\"dev@example.com\"}";
    private static final String STAGING = "{\"service\":\"payments-api\",\"environment\":\"staging\"}";
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111122223333-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");

    private final GantryConfig config = ConfigLoader.parse("""
            version: 1
            slack:
              defaultChannel: "#releases"
              people:
                U0AAAA001: [dev@example.com]
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111122223333", region: eu-west-1, cluster: staging, service: payments-api }
                  - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: payments-api, gate: production }
              - name: checkout-web
                repository: checkout-web
                tagPolicy: { glob: "release-*" }
                environments:
                  - { name: prod, account: "111122223333", region: eu-west-1, cluster: prod, service: checkout-web, gate: production }
            gates:
              - name: production
                approvals: { required: 1, users: [U0AAAA001, U0AAAA002] }
            """, "gantry.yml");
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryGateStore store = new InMemoryGateStore();
    private final GateService gates = gates(store);
    private final InMemoryArtifactReader artifacts = new InMemoryArtifactReader();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryPipelineJobs jobs = new InMemoryPipelineJobs();
    private final InMemoryJobLedger ledger = new InMemoryJobLedger();
    private final PipelineGateService service = new PipelineGateService(config, gates, artifacts, registry, jobs, ledger, clock);

    @BeforeEach
    void givenTheBuildArtifact() {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(),
                PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_PINNED));
        registry.givenImage("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + DIGEST, Instant.parse("2026-11-23T09:58:12Z"));
    }

    @AfterEach
    void noCredentialLeftGantry() {
        for (InMemoryPipelineJobs.Put put : jobs.puts()) {
            String token = put.result() instanceof JobResult.Continued continued ? continued.continuationToken() : "";
            for (String credential : List.of(ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)) {
                assertThat(put.result().message()).doesNotContain(credential);
                assertThat(token).doesNotContain(credential);
            }
        }
    }

    @Test
    void continuesTheFirstJobWithATokenNamingTheReleaseWhileTheGateWaits() throws Exception {
        PipelineJobReport report = service.run(job("job-1", PROD), null, "inv-1");

        assertThat(report.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(report.outcome()).isEqualTo(Outcome.CONTINUED);
        JobResult.Continued continued = onlyPut("job-1", JobResult.Continued.class);
        JsonNode token = JsonMapper.builder().build().readTree(continued.continuationToken());
        assertThat(token.path("service").asText()).isEqualTo("payments-api");
        assertThat(token.path("environment").asText()).isEqualTo("prod");
        assertThat(token.path("digest").asText()).isEqualTo(DIGEST);
        assertThat(continued.summary()).startsWith("gate 'production' for payments-api/prod/07348c117739 is waiting:"
                + " waiting for approvals: 0 of 1 approvals");
        GateRecord record = store.find(prod(DIGEST)).orElseThrow();
        assertThat(record.origin()).isEqualTo(GateOrigin.PIPELINE);
        assertThat(record.triggeredBy()).containsExactly("dev@example.com");
        assertThat(record.dueAt()).as("the pipeline asks again itself; the sweep has nothing to do").isNull();
    }

    @Test
    void succeedsTheContinuationJobOnceTheGateHasPassed() {
        service.run(job("job-1", PROD), null, "inv-1");
        String token = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        clock.advance(Duration.ofMinutes(3));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        clock.advance(Duration.ofMinutes(1));

        PipelineJobReport report = service.run(job("job-2", PROD), token, "inv-2");

        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(onlyPut("job-2", JobResult.Succeeded.class).summary())
                .startsWith("gate 'production' for payments-api/prod/07348c117739 passed: all checks passed");
        assertThat(artifacts.reads()).as("a continuation asks about the digest in its token").hasSize(1);
    }

    @Test
    void aContinuationJobPassesOnItsOwnExecutionsPassWhenAnotherExecutionBroughtTheSameDigestMeanwhile() {
        // given: the first execution's gate action waits for an approval, which comes between two of its jobs; before its
        // next job, a newer execution's gate action brings the same digest and, the approval still valid, passes a round of its own
        service.run(inExecution("job-1", FIRST_EXECUTION), null, "inv-1");
        String token = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        clock.advance(Duration.ofMinutes(3));
        gates.decide(prod(DIGEST), approve("U0AAAA002", DIGEST));
        service.run(inExecution("job-2", NEWER_EXECUTION), null, "inv-2");
        onlyPut("job-2", JobResult.Succeeded.class);
        assertThat(store.find(prod(DIGEST)).orElseThrow().pipelineExecution()).isEqualTo(NEWER_EXECUTION);
        clock.advance(Duration.ofMinutes(1));

        // when: the first execution's continuation job asks
        service.run(inExecution("job-3", FIRST_EXECUTION), token, "inv-3");

        // then: the round the approval passed was its execution's pass, and stands; the newer execution keeps its own round
        assertThat(onlyPut("job-3", JobResult.Succeeded.class).message()).contains("passed for pipeline execution " + FIRST_EXECUTION);
        GateRecord record = store.find(prod(DIGEST)).orElseThrow();
        assertThat(record.status()).isEqualTo(GateStatus.PASSED);
        assertThat(record.pipelineExecution()).isEqualTo(NEWER_EXECUTION);
        assertThat(record.executionPasses()).extracting(GateRecord.ExecutionPass::execution)
                .containsExactly(FIRST_EXECUTION, NEWER_EXECUTION);
    }

    @Test
    void keepsContinuingWhileThePersonWhoTriggeredThePipelineIsTheOnlyApprover() {
        service.run(job("job-1", PROD), null, "inv-1");
        String token = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        clock.advance(Duration.ofMinutes(3));
        gates.decide(prod(DIGEST), approve("U0AAAA001", DIGEST));

        service.run(job("job-2", PROD), token, "inv-2");

        assertThat(onlyPut("job-2", JobResult.Continued.class).summary())
                .contains("not counted: U0AAAA001 triggered the release and cannot approve it");
    }

    @Test
    void putsOneResultForAJobDeliveredTwice() {
        PipelineJobReport first = service.run(job("job-1", PROD), null, "inv-1");
        PipelineJobReport again = service.run(job("job-1", PROD), null, "inv-2");

        assertThat(jobs.puts()).hasSize(1);
        assertThat(first.disposition()).isEqualTo(Disposition.COMPLETED);
        assertThat(again.disposition()).isEqualTo(Disposition.ALREADY_COMPLETED);
        assertThat(again.outcome()).isEqualTo(Outcome.CONTINUED);
    }

    @Test
    void failsTheJobWhenTheGateRefusesTheRelease() {
        service.run(job("job-1", PROD), null, "inv-1");
        String token = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        clock.advance(Duration.ofMinutes(3));
        gates.decide(prod(DIGEST), new Approval("U0AAAA002", clock.instant(), new ImageDigest(DIGEST), Approval.Decision.REJECT,
                "breaks the refund flow"));

        service.run(job("job-2", PROD), token, "inv-2");

        JobResult.Failed failed = onlyPut("job-2", JobResult.Failed.class);
        assertThat(failed.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failed.message()).startsWith("gate 'production' for payments-api/prod/07348c117739 refused the release:"
                + " approvals: rejected by U0AAAA002 (breaks the refund flow)");
    }

    @Test
    void failsTheJobOfAReleaseANewerDigestReplacedAtTheGate() {
        service.run(job("job-1", PROD), null, "inv-1");
        String token = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        clock.advance(Duration.ofMinutes(3));
        gates.evaluate(new GateSubject(prod(NEWER), "111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments-api@" + NEWER, "1.5.0",
                null, List.of(), GateOrigin.PIPELINE));

        service.run(job("job-2", PROD), token, "inv-2");

        JobResult.Failed failed = onlyPut("job-2", JobResult.Failed.class);
        assertThat(failed.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failed.message()).isEqualTo("gate 'production' for payments-api/prod/07348c117739: replaced at the gate by a newer"
                + " digest, b2b2b2b2b2b2; the newer release goes through the gate instead");
    }

    @Test
    void aLatePipelineRunOfAnOlderPushYieldsToTheNewerPushWaitingAtTheGate() {
        registry.givenTag(REGISTRY + "/payments-api:main-a1a1a1a", new ImageDigest(OLDER), Instant.parse("2026-11-23T09:40:00Z"));
        registry.givenTag(REGISTRY + "/payments-api:main-b2b2b2b", new ImageDigest(NEWER), Instant.parse("2026-11-23T09:50:00Z"));
        givenImageDefinitionsByTag("main-b2b2b2b");
        service.run(job("job-1", PROD), null, "inv-1");
        givenImageDefinitionsByTag("main-a1a1a1a");
        clock.advance(Duration.ofMinutes(5));

        service.run(job("job-2", PROD), null, "inv-2");

        assertThat(onlyPut("job-2", JobResult.Failed.class).message()).isEqualTo("gate 'production' for payments-api/prod/a1a1a1a1a1a1:"
                + " replaced at the gate by a newer digest, b2b2b2b2b2b2; the newer release goes through the gate instead");
        GateRecord newer = store.find(prod(NEWER)).orElseThrow();
        assertThat(newer.status()).isEqualTo(GateStatus.WAITING);
        assertThat(newer.pushedAt()).isEqualTo(Instant.parse("2026-11-23T09:50:00Z"));
    }

    @Test
    void aPipelineRunOfANewerPushSupersedesTheOlderPushWaitingAtTheGate() {
        registry.givenTag(REGISTRY + "/payments-api:main-a1a1a1a", new ImageDigest(OLDER), Instant.parse("2026-11-23T09:40:00Z"));
        registry.givenTag(REGISTRY + "/payments-api:main-b2b2b2b", new ImageDigest(NEWER), Instant.parse("2026-11-23T09:50:00Z"));
        givenImageDefinitionsByTag("main-a1a1a1a");
        service.run(job("job-1", PROD), null, "inv-1");
        String olderToken = onlyPut("job-1", JobResult.Continued.class).continuationToken();
        givenImageDefinitionsByTag("main-b2b2b2b");
        clock.advance(Duration.ofMinutes(5));

        service.run(job("job-2", PROD), null, "inv-2");
        service.run(job("job-3", PROD), olderToken, "inv-3");

        assertThat(onlyPut("job-2", JobResult.Continued.class).summary())
                .startsWith("gate 'production' for payments-api/prod/b2b2b2b2b2b2 is waiting");
        assertThat(onlyPut("job-3", JobResult.Failed.class).message()).contains("replaced at the gate by a newer digest, b2b2b2b2b2b2");
        assertThat(store.find(prod(OLDER)).orElseThrow().pushedAt()).isEqualTo(Instant.parse("2026-11-23T09:40:00Z"));
    }

    @Test
    void failsAGateActionOnAnEnvironmentWithoutAGateAsAConfigurationError() {
        service.run(job("job-1", STAGING), null, "inv-1");

        JobResult.Failed failed = onlyPut("job-1", JobResult.Failed.class);
        assertThat(failed.type()).isEqualTo(JobFailureType.CONFIGURATION_ERROR);
        assertThat(failed.message()).contains("environment staging of payments-api has no gate");
        assertThat(artifacts.reads()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not a token                                                                                  | it is not JSON",
        "[\"payments-api\",\"prod\"]                                                                  | it is not a version 1 gate token",
        "{\"v\":2,\"service\":\"payments-api\",\"environment\":\"prod\",\"digest\":\"sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd\"} | it is not a version 1 gate token",
        "{\"v\":1,\"digest\":\"sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd\"} | it names no service and environment",
        "{\"v\":1,\"service\":\"payments-api\",\"environment\":\"prod\",\"digest\":\"sha256:07348c\"} | followed by 64 lower-case hex digits",
    })
    void failsAContinuationWhoseTokenGantryDidNotGive(String token, String why) {
        service.run(job("job-2", PROD), token, "inv-1");

        JobResult.Failed failed = onlyPut("job-2", JobResult.Failed.class);
        assertThat(failed.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failed.message()).startsWith("the continuation token is not one Gantry's gate action gave: ").contains(why);
        assertThat(store.find(prod(DIGEST))).isEmpty();
    }

    @Test
    void failsAContinuationWhoseTokenNamesAReleaseThatNeverReachedTheGate() {
        service.run(job("job-2", PROD), PipelineGateService.token(prod(NEWER)), "inv-1");

        assertThat(onlyPut("job-2", JobResult.Failed.class).message())
                .isEqualTo("the continuation token names payments-api/prod/b2b2b2b2b2b2, which never reached its gate");
    }

    @Test
    void failsAContinuationWhoseTokenNamesAnotherService() {
        ReleaseKey checkout = new ReleaseKey("checkout-web", "prod", new ImageDigest(DIGEST));
        gates.evaluate(new GateSubject(checkout, "111122223333.dkr.ecr.eu-west-1.amazonaws.com/checkout-web@" + DIGEST, null, null,
                List.of(), GateOrigin.PIPELINE));
        gates.decide(checkout, approve("U0AAAA002", DIGEST));

        service.run(job("job-2", PROD), PipelineGateService.token(checkout), "inv-1");

        JobResult.Failed failed = onlyPut("job-2", JobResult.Failed.class);
        assertThat(failed.type()).isEqualTo(JobFailureType.JOB_FAILED);
        assertThat(failed.message()).isEqualTo("the continuation token names checkout-web/prod/07348c117739, not a release of"
                + " payments-api/prod that this action gates");
    }

    @Test
    void scrubsTheJobsCredentialsFromAnArtifactError() {
        artifacts.failNextRead(new ArtifactReader.ArtifactReadException("S3 refused " + ACCESS_KEY_ID + " with session "
                + SESSION_TOKEN, null));

        service.run(job("job-1", PROD), null, "inv-1");

        assertThat(onlyPut("job-1", JobResult.Failed.class).message()).isEqualTo("S3 refused [redacted] with session [redacted]");
    }

    @Test
    void failsTheJobNamingTheOutageWhenTheGateRecordsAreOutOfReach() {
        PipelineGateService withBrokenStore = new PipelineGateService(config, gates(storeFailingWith(new GateStore.GateStoreException(
                "reading gate record payments-api/prod/07348c117739 from table gantry-state failed: Rate exceeded, request signed with "
                        + SECRET_ACCESS_KEY, null))), artifacts, registry, jobs, ledger, clock);

        withBrokenStore.run(job("job-1", PROD), null, "inv-1");

        assertThat(onlyPut("job-1", JobResult.Failed.class).message()).isEqualTo("the gate could not be decided, its records are out of"
                + " reach: reading gate record payments-api/prod/07348c117739 from table gantry-state failed: Rate exceeded, request signed"
                + " with [redacted]; retry the stage");
    }

    @Test
    void answersAnUnexpectedErrorWithAPointerToTheLogAndNoDetails() {
        PipelineGateService withBrokenStore = new PipelineGateService(config, gates(storeFailingWith(new IllegalStateException(
                "record read back without its version, request signed with " + SECRET_ACCESS_KEY))), artifacts, registry, jobs, ledger, clock);

        withBrokenStore.run(job("job-1", PROD), null, "inv-1");

        assertThat(onlyPut("job-1", JobResult.Failed.class).message()).isEqualTo("Gantry failed unexpectedly while evaluating this gate"
                + " (invocation inv-1); its log has the details");
    }

    /** A gate store whose every read fails with {@code failure}. */
    private static GateStore storeFailingWith(RuntimeException failure) {
        return new GateStore() {
            @Override
            public Optional<GateRecord> find(ReleaseKey key) {
                throw failure;
            }

            @Override
            public boolean create(GateRecord record) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean replace(GateRecord updated) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<GateRecord> waiting(String service, String environment) {
                throw new UnsupportedOperationException();
            }

            @Override
            public List<GateRecord> due(Instant now, int limit) {
                throw new UnsupportedOperationException();
            }
        };
    }

    private GateService gates(GateStore gateStore) {
        return new GateService(config, gateStore, new InMemoryReleaseStore(), new InMemoryAlarmStates(), new InMemoryChangeCalendars(),
                new InMemoryCustomChecks(), ApproverGroups.none(), clock);
    }

    private <T extends JobResult> T onlyPut(String jobId, Class<T> kind) {
        List<InMemoryPipelineJobs.Put> puts = jobs.puts(jobId);
        assertThat(puts).hasSize(1);
        assertThat(puts.get(0).result()).isInstanceOf(kind);
        return kind.cast(puts.get(0).result());
    }

    private Approval approve(String user, String digest) {
        return new Approval(user, clock.instant(), new ImageDigest(digest), Approval.Decision.APPROVE, null);
    }

    private static ReleaseKey prod(String digest) {
        return new ReleaseKey("payments-api", "prod", new ImageDigest(digest));
    }

    private void givenImageDefinitionsByTag(String tag) {
        artifacts.givenArtifact(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key(), PipelineArtifacts.zip(Map.of("imagedefinitions.json",
                "[{\"name\":\"app\",\"imageUri\":\"" + REGISTRY + "/payments-api:" + tag + "\"}]")));
    }

    private static PipelineJob inExecution(String id, String execution) {
        return new PipelineJob(id, "111122223333", PROD, List.of(BUILD_OUTPUT), ACCESS, null, execution);
    }

    private static PipelineJob job(String id, String userParameters) {
        return new PipelineJob(id, "111122223333", userParameters, List.of(BUILD_OUTPUT), ACCESS);
    }
}
