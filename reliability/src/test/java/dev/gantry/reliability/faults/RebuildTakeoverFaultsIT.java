package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.BuildRunner;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A rebuild whose invocation sent StartBuild and died before recording the build, taken over by the resume sweep after
 * CodeBuild has stopped honouring the start's idempotency token (five minutes): the build the dead invocation started
 * is found and adopted, so exactly one StartBuild ever reaches CodeBuild, and a takeover that cannot tell whether the
 * build exists fails with the reason and starts nothing.
 *
 * <p>CodeBuild is WireMock, with the real SDK on both sides: the dead invocation's StartBuild is sent by
 * {@link SdkBuildRunner}, and the build CodeBuild lists afterwards carries the environment variable overrides that request
 * carried, as BatchGetBuilds shows a build's environment. The ledger is DynamoDB Local; the takeover is the function's
 * handler, built as Lambda builds it.
 */
class RebuildTakeoverFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GOLDEN_DIGEST = "sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720";
    private static final RebuildKey RUNTIME_JAVA = new RebuildKey("runtime-java", ImageDigest.parse(GOLDEN_DIGEST), RebuildKey.ON_NEW_BASE);
    private static final String PROJECT = "runtime-java-image";
    private static final String BUILD_ID = PROJECT + ":7c1e9a42-3d5b-4f80-b6a2-0e9d4c7f1a35";
    private static final String CODEBUILD = "CodeBuild_20161006.";
    private static final String GOLDEN_PUSH = "gantry-ecr-push-golden-java21.json";
    private static final String RESUME_SWEEP = "gantry-scheduled-event-rebuild-resume.json";
    /** How long before the sweep the invocation died: past its 90 s lease and past CodeBuild's five minutes of the token. */
    private static final Duration SINCE_IT_DIED = Duration.ofMinutes(6);

    private static FaultyAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void theBuildADeadInvocationStartedIsAdoptedByTheSweepAfterCodeBuildForgotTheTokenAndStartedOnce() throws Exception {
        aws.reset();
        stubStartBuild();
        Map<String, String> environment = aws.environment(aws.freshTable());
        Instant died = diedAfterStartBuild(environment);
        stubCodeBuildListing(died);

        JsonNode report = ImageRebuildFaultsIT.invoke(environment, Fixtures.eventText(RESUME_SWEEP));

        assertThat(requests("StartBuild")).hasSize(1);
        assertThat(requests("ListBuildsForProject")).singleElement()
                .satisfies(request -> assertThat(request.at("/projectName").asText()).isEqualTo(PROJECT));
        Rebuild rebuild = ledger(environment).find(RUNTIME_JAVA).orElseThrow();
        assertThat(rebuild.status()).isEqualTo(RebuildStatus.STARTED);
        assertThat(rebuild.buildId()).isEqualTo(BUILD_ID);
        assertThat(ledger(environment).findByBuildId(BUILD_ID)).isPresent();
        assertThat(report.path("outcomes").get(0).path("detail").asText()).isEqualTo("found " + BUILD_ID + ", started by an earlier attempt");
    }

    @Test
    void aTakeoverThatCannotReadCodeBuildFailsWithTheReasonStartsNothingAndTheNextSweepAdoptsTheBuild() throws Exception {
        aws.reset();
        stubStartBuild();
        Map<String, String> environment = aws.environment(aws.freshTable());
        Instant died = diedAfterStartBuild(environment);
        stubCodeBuildListing(died);
        aws.inject(new Operation(CODEBUILD.substring(0, CODEBUILD.length() - 1), "ListBuildsForProject", Operation.Protocol.AWS_JSON,
                Operation.Matching.TARGET_HEADER, CODEBUILD + "ListBuildsForProject"), Fault.SERVICE_UNAVAILABLE, Integer.MAX_VALUE);

        assertThatThrownBy(() -> ImageRebuildFaultsIT.invoke(environment, Fixtures.eventText(RESUME_SWEEP)))
                .isInstanceOf(RebuildService.EarlierBuildUnknownException.class)
                .hasMessageContaining("runtime-java (codebuild runtime-java-image)")
                .hasMessageContaining("ListBuildsForProject for CodeBuild project runtime-java-image");
        assertThat(requests("StartBuild")).hasSize(1);
        assertThat(ledger(environment).find(RUNTIME_JAVA).orElseThrow().status()).isEqualTo(RebuildStatus.STARTING);

        aws.heal();
        ImageRebuildFaultsIT.leasesRanOut(ledger(environment), List.of(RUNTIME_JAVA));
        ImageRebuildFaultsIT.invoke(environment, Fixtures.eventText(RESUME_SWEEP));

        assertThat(requests("StartBuild")).hasSize(1);
        assertThat(ledger(environment).find(RUNTIME_JAVA).orElseThrow().buildId()).isEqualTo(BUILD_ID);
    }

    /**
     * golden/java21's push, handled {@link #SINCE_IT_DIED} ago by an invocation that took runtime-java's slot, sent
     * StartBuild through the SDK, and was ended before it recorded the build: its record is left STARTING under a lease
     * that has run out. @return when it died
     */
    private static Instant diedAfterStartBuild(Map<String, String> environment) {
        Instant died = Instant.now().minus(SINCE_IT_DIED);
        Map<String, String> rebuildEnvironment = ImageRebuildFaultsIT.rebuildEnvironment(environment);
        AwsClients clients = new AwsClients(rebuildEnvironment);
        BuildRunner diesAfterStarting = new DiesAfterStarting(new SdkBuildRunner(clients.codeBuild(), clients.codePipeline()));
        RebuildService deadInvocation = new RebuildService(ConfigLoader.load(Path.of(environment.get("GANTRY_CONFIG"))), ledger(environment),
                diesAfterStarting, new InMemoryImageLabels(), new InMemoryImageRegistry(), rebuildEnvironment.get("GANTRY_REGISTRY_ACCOUNT"),
                FaultyAws.REGION, Clock.fixed(died, ZoneOffset.UTC));

        assertThatThrownBy(() -> deadInvocation.onImagePush(EcrImageActionEvent.parse(new ByteArrayInputStream(
                Fixtures.eventText(GOLDEN_PUSH).getBytes(StandardCharsets.UTF_8))))).isInstanceOf(InvocationEnded.class);
        Rebuild left = ledger(environment).find(RUNTIME_JAVA).orElseThrow();
        if (left.status() != RebuildStatus.STARTING || !left.isStalled(Instant.now()) || requests("StartBuild").size() != 1) {
            throw new IllegalStateException("the dead invocation did not leave a stalled start behind a sent StartBuild: " + left);
        }
        return died;
    }

    /** CodeBuild starting runtime-java-image's build. */
    private static void stubStartBuild() {
        aws.server.stubFor(codeBuild("StartBuild").willReturn(json(Map.of("build", Map.of("id", BUILD_ID, "projectName", PROJECT,
                "buildStatus", "IN_PROGRESS", "currentPhase", "QUEUED")))));
    }

    /**
     * CodeBuild listing runtime-java-image's builds, newest first: the dead invocation's, with the overrides its StartBuild
     * sent (as BatchGetBuilds shows them), and an older build of the project from before the rebuild was planned.
     */
    private static void stubCodeBuildListing(Instant died) {
        JsonNode start = requests("StartBuild").get(0);
        String olderBuild = PROJECT + ":0a4b7d1e-9c2f-4e36-8a15-b7c3d9e2f604";
        aws.server.stubFor(codeBuild("ListBuildsForProject").willReturn(json(Map.of("ids", List.of(BUILD_ID, olderBuild)))));
        aws.server.stubFor(codeBuild("BatchGetBuilds").willReturn(json(Map.of(
                "builds", List.of(
                        build(BUILD_ID, 412, died.plusMillis(300), start.path("environmentVariablesOverride")),
                        build(olderBuild, 411, died.minus(Duration.ofDays(2)), JSON.createArrayNode())),
                "buildsNotFound", List.of()))));
    }

    private static Map<String, Object> build(String id, int number, Instant startTime, JsonNode environmentVariables) {
        return Map.of("id", id, "buildNumber", number, "projectName", PROJECT, "buildStatus", "IN_PROGRESS", "buildComplete", false,
                "startTime", startTime.toEpochMilli() / 1000.0,
                "environment", Map.of("type", "LINUX_CONTAINER", "image", "aws/codebuild/standard:7.0", "computeType", "BUILD_GENERAL1_SMALL",
                        "environmentVariables", environmentVariables));
    }

    private static DynamoDbRebuildLedger ledger(Map<String, String> environment) {
        return new DynamoDbRebuildLedger(aws.dynamo, environment.get("GANTRY_TABLE"));
    }

    private static MappingBuilder codeBuild(String operation) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(CODEBUILD + operation));
    }

    /** The bodies of the {@code operation} requests CodeBuild received, in order. */
    private static List<JsonNode> requests(String operation) {
        return aws.server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(CODEBUILD + operation))).stream()
                .map(request -> {
                    try {
                        return JSON.readTree(request.getBodyAsString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }

    private static ResponseDefinitionBuilder json(Object body) {
        try {
            return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts what it is asked to, then ends the invocation as a timeout or an out-of-memory kill would. */
    private record DiesAfterStarting(BuildRunner runner) implements BuildRunner {

        @Override
        public String start(BuildTarget target, Map<String, String> variables, String idempotencyToken) {
            runner.start(target, variables, idempotencyToken);
            throw new InvocationEnded();
        }

        @Override
        public Optional<StartedBuild> findStarted(BuildTarget target, String idempotencyToken, Instant since) {
            return runner.findStarted(target, idempotencyToken, since);
        }
    }

    /** Lambda ended the invocation: nothing after the call that was under way ran. */
    private static final class InvocationEnded extends RuntimeException {
        InvocationEnded() {
            super("the invocation was ended after StartBuild was sent");
        }
    }
}
