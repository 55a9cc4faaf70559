package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.gantry.core.rebuild.BuildRunner.BuildRunnerException;
import dev.gantry.core.rebuild.BuildRunner.BuildTarget;
import dev.gantry.core.rebuild.BuildRunner.BuildTargetNotFoundException;
import dev.gantry.core.rebuild.BuildRunner.CapacityExceededException;
import dev.gantry.core.rebuild.BuildRunner.StartedBuild;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;

class SdkBuildRunnerIT {

    private static final JsonProtocolWire CODEPIPELINE = JsonProtocolWire.CODEPIPELINE;
    private static final JsonProtocolWire CODEBUILD = JsonProtocolWire.CODEBUILD;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final BuildTarget PROJECT = new BuildTarget(BuildTarget.Kind.CODEBUILD, "payments-api-image");
    private static final BuildTarget PIPELINE = new BuildTarget(BuildTarget.Kind.PIPELINE, "payments-api-image-pipeline");
    private static final String BASE_IMAGE =
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/base-java21@sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String TOKEN = "rebuild/payments-api-image/sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String BUILD_ID = "payments-api-image:0b8f0a5e-1d2c-4e1b-9a4c-3f6f7c1d2e3a";
    private static final String EXECUTION_ID = "d8e4f1a2-6b3c-4d5e-8f9a-0b1c2d3e4f5a";
    private static final String NEWER_BUILD = "payments-api-image:5f1c2e3d-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
    private static final String OTHER_REBUILDS_BUILD = "payments-api-image:9e8d7c6b-5a4f-4e3d-9c2b-1a0f9e8d7c6b";
    /** When the rebuild was planned: no attempt can have started its build before. */
    private static final Instant SINCE = Instant.parse("2026-11-23T10:00:00Z");

    private static WireMockServer server;
    private static CodeBuildClient codeBuild;
    private static CodePipelineClient codePipeline;
    private SdkBuildRunner runner;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        StaticCredentialsProvider credentials =
                StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        // One attempt: the tests count requests on the wire, and a throttling answer must reach the adapter.
        codeBuild = CodeBuildClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
        codePipeline = CodePipelineClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(credentials)
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        codeBuild.close();
        codePipeline.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        runner = new SdkBuildRunner(codeBuild, codePipeline);
    }

    @Test
    void startsACodeBuildBuildWithPlaintextOverridesAndReturnsItsId() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.json("""
                {"build":{"id":"%s","arn":"arn:aws:codebuild:eu-west-1:111122223333:build/%s","buildStatus":"IN_PROGRESS",
                  "projectName":"payments-api-image","currentPhase":"QUEUED"}}""".formatted(BUILD_ID, BUILD_ID))));
        Map<String, String> variables = new LinkedHashMap<>();
        variables.put("BASE_IMAGE", BASE_IMAGE);
        variables.put("GANTRY_REBUILD", "true");

        String id = runner.start(PROJECT, variables, TOKEN);

        assertThat(id).isEqualTo(BUILD_ID);
        List<JsonNode> bodies = startBuildBodies();
        assertThat(bodies).hasSize(1);
        JsonNode body = bodies.get(0);
        assertThat(body.at("/projectName").asText()).isEqualTo("payments-api-image");
        assertThat(body.at("/environmentVariablesOverride")).hasSize(3);
        assertThat(body.at("/environmentVariablesOverride/0/name").asText()).isEqualTo("BASE_IMAGE");
        assertThat(body.at("/environmentVariablesOverride/0/value").asText()).isEqualTo(BASE_IMAGE);
        assertThat(body.at("/environmentVariablesOverride/0/type").asText()).isEqualTo("PLAINTEXT");
        assertThat(body.at("/environmentVariablesOverride/1/name").asText()).isEqualTo("GANTRY_REBUILD");
        assertThat(body.at("/environmentVariablesOverride/1/type").asText()).isEqualTo("PLAINTEXT");
        assertThat(body.at("/idempotencyToken").asText()).matches("[0-9a-f]{64}").isNotEqualTo(TOKEN);
        // The mark a later attempt finds the build by, once CodeBuild no longer honours the token.
        assertThat(body.at("/environmentVariablesOverride/2/name").asText()).isEqualTo("GANTRY_REBUILD_TOKEN");
        assertThat(body.at("/environmentVariablesOverride/2/value").asText()).isEqualTo(body.at("/idempotencyToken").asText());
        assertThat(body.at("/environmentVariablesOverride/2/type").asText()).isEqualTo("PLAINTEXT");
    }

    @Test
    void refusesABuildVariableNamedAsTheMark() {
        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("GANTRY_REBUILD_TOKEN", "mine"), TOKEN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("GANTRY_REBUILD_TOKEN");
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void findsTheBuildItStartedByItsMarkOnALaterPageOfTheProjectsBuilds() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.json("{\"build\":{\"id\":\"" + BUILD_ID + "\"}}")));
        runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN);
        JsonNode overrides = startBuildBodies().get(0).at("/environmentVariablesOverride");
        server.stubFor(CODEBUILD.operation("ListBuildsForProject")
                .willReturn(JsonProtocolWire.json(ids("page-2", NEWER_BUILD, OTHER_REBUILDS_BUILD))));
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").atPriority(1)
                .withRequestBody(matchingJsonPath("$.nextToken", equalTo("page-2")))
                .willReturn(JsonProtocolWire.json(ids(null, BUILD_ID))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds").withRequestBody(matchingJsonPath("$.ids[0]", equalTo(NEWER_BUILD)))
                .willReturn(JsonProtocolWire.json(builds(
                        build(NEWER_BUILD, "IN_PROGRESS", SINCE.plusSeconds(600), JSON.createArrayNode()),
                        build(OTHER_REBUILDS_BUILD, "IN_PROGRESS", SINCE.plusSeconds(300), mark("0".repeat(64)))))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds").withRequestBody(matchingJsonPath("$.ids[0]", equalTo(BUILD_ID)))
                .willReturn(JsonProtocolWire.json(builds(build(BUILD_ID, "IN_PROGRESS", SINCE.plusSeconds(2), overrides)))));

        Optional<StartedBuild> found = runner.findStarted(PROJECT, TOKEN, SINCE);

        assertThat(found).contains(new StartedBuild(BUILD_ID, StartedBuild.State.RUNNING, null));
        List<JsonNode> listings = CODEBUILD.requests(server, "ListBuildsForProject");
        assertThat(listings).hasSize(2);
        assertThat(listings.get(0).at("/projectName").asText()).isEqualTo("payments-api-image");
        // Newest first is CodeBuild's default; an explicit sortOrder fails for a project with more than 100 builds.
        assertThat(listings.get(0).has("sortOrder")).isFalse();
        assertThat(listings.get(0).has("nextToken")).isFalse();
        assertThat(listings.get(1).at("/nextToken").asText()).isEqualTo("page-2");
        assertThat(CODEBUILD.requests(server, "BatchGetBuilds")).extracting(b -> b.at("/ids").toString())
                .containsExactly("[\"" + NEWER_BUILD + "\",\"" + OTHER_REBUILDS_BUILD + "\"]", "[\"" + BUILD_ID + "\"]");
    }

    @Test
    void stopsLookingPastTheFirstBuildOlderThanTheRebuildAndFindsNothing() {
        server.stubFor(CODEBUILD.operation("ListBuildsForProject")
                .willReturn(JsonProtocolWire.json(ids("page-2", NEWER_BUILD, OTHER_REBUILDS_BUILD))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds").willReturn(JsonProtocolWire.json(builds(
                build(NEWER_BUILD, "IN_PROGRESS", SINCE.plusSeconds(600), JSON.createArrayNode()),
                // Older than the rebuild by more than CodeBuild's clock may be off.
                build(OTHER_REBUILDS_BUILD, "SUCCEEDED", SINCE.minus(SdkBuildRunner.CLOCK_TOLERANCE).minusSeconds(1), JSON.createArrayNode())))));

        Optional<StartedBuild> found = runner.findStarted(PROJECT, TOKEN, SINCE);

        assertThat(found).isEmpty();
        assertThat(CODEBUILD.requests(server, "ListBuildsForProject")).hasSize(1);
    }

    @Test
    void keepsLookingPastABuildThatStartedBeforeTheRebuildWithinCodeBuildsClockTolerance() {
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(JsonProtocolWire.json(ids("page-2", NEWER_BUILD))));
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").atPriority(1)
                .withRequestBody(matchingJsonPath("$.nextToken", equalTo("page-2")))
                .willReturn(JsonProtocolWire.json(ids(null))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds").willReturn(JsonProtocolWire.json(builds(
                build(NEWER_BUILD, "IN_PROGRESS", SINCE.minusSeconds(30), JSON.createArrayNode())))));

        assertThat(runner.findStarted(PROJECT, TOKEN, SINCE)).isEmpty();
        assertThat(CODEBUILD.requests(server, "ListBuildsForProject")).hasSize(2);
    }

    @Test
    void saysHowAMarkedBuildThatEndedWent() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.json("{\"build\":{\"id\":\"" + BUILD_ID + "\"}}")));
        runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN);
        JsonNode overrides = startBuildBodies().get(0).at("/environmentVariablesOverride");
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(JsonProtocolWire.json(ids(null, BUILD_ID))));

        server.stubFor(CODEBUILD.operation("BatchGetBuilds")
                .willReturn(JsonProtocolWire.json(builds(build(BUILD_ID, "SUCCEEDED", SINCE.plusSeconds(1), overrides)))));
        Optional<StartedBuild> succeeded = runner.findStarted(PROJECT, TOKEN, SINCE);
        server.stubFor(CODEBUILD.operation("BatchGetBuilds")
                .willReturn(JsonProtocolWire.json(builds(build(BUILD_ID, "TIMED_OUT", SINCE.plusSeconds(1), overrides)))));
        Optional<StartedBuild> timedOut = runner.findStarted(PROJECT, TOKEN, SINCE);

        assertThat(succeeded).contains(new StartedBuild(BUILD_ID, StartedBuild.State.SUCCEEDED, null));
        assertThat(timedOut).contains(new StartedBuild(BUILD_ID, StartedBuild.State.FAILED, "CodeBuild status TIMED_OUT"));
    }

    @Test
    void doesNotTakeAnotherTargetsOrAnotherRebuildsBuildForItsOwn() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.json("{\"build\":{\"id\":\"" + BUILD_ID + "\"}}")));
        runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN + "-next");
        JsonNode anotherRebuilds = startBuildBodies().get(0).at("/environmentVariablesOverride");
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(JsonProtocolWire.json(ids(null, BUILD_ID))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds")
                .willReturn(JsonProtocolWire.json(builds(build(BUILD_ID, "IN_PROGRESS", SINCE.plusSeconds(1), anotherRebuilds)))));

        assertThat(runner.findStarted(PROJECT, TOKEN, SINCE)).isEmpty();
    }

    @Test
    void findsNoExecutionOfAPipelineAndAsksNothing() {
        assertThat(runner.findStarted(PIPELINE, TOKEN, SINCE)).isEmpty();
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void findsNoBuildOfAProjectThatDoesNotExist() {
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(JsonProtocolWire.error("ResourceNotFoundException",
                "The provided project arn:aws:codebuild:eu-west-1:111122223333:project/payments-api-image does not exist")));

        assertThat(runner.findStarted(PROJECT, TOKEN, SINCE)).isEmpty();
    }

    @Test
    void reportsALookupThatCannotReadTheBuildsAsARunnerFailureNamingTheCall() {
        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(JsonProtocolWire.json(ids(null, BUILD_ID))));
        server.stubFor(CODEBUILD.operation("BatchGetBuilds").willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));

        assertThatThrownBy(() -> runner.findStarted(PROJECT, TOKEN, SINCE))
                .isInstanceOf(BuildRunnerException.class)
                .hasMessage("BatchGetBuilds for CodeBuild project payments-api-image was refused: ThrottlingException (HTTP 400): Rate exceeded");

        server.stubFor(CODEBUILD.operation("ListBuildsForProject").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> runner.findStarted(PROJECT, TOKEN, SINCE))
                .isInstanceOf(BuildRunnerException.class)
                .hasMessageStartingWith("ListBuildsForProject for CodeBuild project payments-api-image failed: ");
    }

    @Test
    void sendsTheSameTokenForTheSameRebuildAndAnotherForAnotherRebuild() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.json("{\"build\":{\"id\":\"" + BUILD_ID + "\"}}")));
        Map<String, String> variables = Map.of("BASE_IMAGE", BASE_IMAGE);

        runner.start(PROJECT, variables, TOKEN);
        runner.start(PROJECT, variables, TOKEN);
        runner.start(PROJECT, variables, TOKEN + "-next");
        runner.start(new BuildTarget(BuildTarget.Kind.CODEBUILD, "checkout-web-image"), variables, TOKEN);

        List<String> tokens = startBuildBodies().stream().map(b -> b.at("/idempotencyToken").asText()).toList();
        assertThat(tokens).hasSize(4);
        assertThat(tokens.get(1)).isEqualTo(tokens.get(0));
        assertThat(tokens.get(2)).isNotEqualTo(tokens.get(0));
        assertThat(tokens.get(3)).isNotEqualTo(tokens.get(0)).isNotEqualTo(tokens.get(2));
    }

    @Test
    void startsAPipelineExecutionWithVariablesAndAClientRequestTokenAndReturnsItsId() {
        server.stubFor(CODEPIPELINE.operation("StartPipelineExecution")
                .willReturn(JsonProtocolWire.json("{\"pipelineExecutionId\":\"" + EXECUTION_ID + "\"}")));

        String id = runner.start(PIPELINE, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN);
        runner.start(PIPELINE, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN);

        assertThat(id).isEqualTo(EXECUTION_ID);
        List<JsonNode> bodies = CODEPIPELINE.requests(server, "StartPipelineExecution");
        JsonNode body = bodies.get(0);
        assertThat(body.at("/name").asText()).isEqualTo("payments-api-image-pipeline");
        assertThat(body.at("/variables")).hasSize(1);
        assertThat(body.at("/variables/0/name").asText()).isEqualTo("BASE_IMAGE");
        assertThat(body.at("/variables/0/value").asText()).isEqualTo(BASE_IMAGE);
        // CodePipeline takes 1 to 128 of [a-zA-Z0-9-]; the caller's token has '/' and ':' and would be refused.
        assertThat(body.at("/clientRequestToken").asText()).matches("[a-zA-Z0-9-]{1,128}");
        assertThat(bodies.get(1).at("/clientRequestToken").asText()).isEqualTo(body.at("/clientRequestToken").asText());
    }

    @Test
    void sendsNoVariablesToAPipelineWhenThereAreNone() {
        server.stubFor(CODEPIPELINE.operation("StartPipelineExecution")
                .willReturn(JsonProtocolWire.json("{\"pipelineExecutionId\":\"" + EXECUTION_ID + "\"}")));

        runner.start(PIPELINE, Map.of(), TOKEN);

        JsonNode body = CODEPIPELINE.requests(server, "StartPipelineExecution").get(0);
        assertThat(body.has("variables")).isFalse();
        assertThat(body.at("/name").asText()).isEqualTo("payments-api-image-pipeline");
    }

    @Test
    void readsCodeBuildsAccountLimitAsCapacityExceeded() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.error("AccountLimitExceededException",
                "Cannot have more than 20 active builds for the account")));

        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("CodeBuild project payments-api-image")
                .hasMessageContaining("Cannot have more than 20 active builds");
    }

    @Test
    void readsAPipelinesConcurrentExecutionLimitAsCapacityExceeded() {
        server.stubFor(CODEPIPELINE.operation("StartPipelineExecution").willReturn(JsonProtocolWire.error(
                "ConcurrentPipelineExecutionsLimitExceededException", "The pipeline has reached the limit for concurrent executions")));

        assertThatThrownBy(() -> runner.start(PIPELINE, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessageContaining("pipeline payments-api-image-pipeline");
    }

    @Test
    void readsThrottlingThatOutlastedTheRetriesAsCapacityExceeded() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.error("ThrottlingException", "Rate exceeded")));

        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(CapacityExceededException.class)
                .hasMessage("StartBuild for CodeBuild project payments-api-image was throttled: ThrottlingException");
    }

    @Test
    void reportsAMissingProjectAsNotFoundNamingIt() {
        server.stubFor(startBuild().willReturn(JsonProtocolWire.error("ResourceNotFoundException",
                "Project cannot be found: arn:aws:codebuild:eu-west-1:111122223333:project/payments-api-image")));

        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(BuildTargetNotFoundException.class)
                .hasMessageStartingWith("CodeBuild project payments-api-image does not exist");
    }

    @Test
    void reportsAMissingPipelineAsNotFoundNamingIt() {
        server.stubFor(CODEPIPELINE.operation("StartPipelineExecution").willReturn(JsonProtocolWire.error(
                "PipelineNotFoundException", "Account '111122223333' does not have a pipeline with name 'payments-api-image-pipeline'")));

        assertThatThrownBy(() -> runner.start(PIPELINE, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(BuildTargetNotFoundException.class)
                .hasMessageStartingWith("pipeline payments-api-image-pipeline does not exist");
    }

    @Test
    void reportsAnyOtherRefusalWithItsCodeAndMessage() {
        server.stubFor(CODEPIPELINE.operation("StartPipelineExecution").willReturn(JsonProtocolWire.error(
                "ValidationException", "Pipeline variable BASE_IMAGE is not defined in the pipeline")));

        assertThatThrownBy(() -> runner.start(PIPELINE, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(BuildRunnerException.class)
                .hasMessage("StartPipelineExecution for pipeline payments-api-image-pipeline was refused: ValidationException (HTTP 400): "
                        + "Pipeline variable BASE_IMAGE is not defined in the pipeline");
    }

    @Test
    void reportsAnUnreachableServiceAsARunnerFailure() {
        server.stubFor(startBuild().willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), TOKEN))
                .isInstanceOf(BuildRunnerException.class)
                .hasMessageStartingWith("StartBuild for CodeBuild project payments-api-image failed: ")
                .hasMessageNotContaining("testaccesskey");
    }

    @Test
    void refusesToStartWithoutAToken() {
        assertThatThrownBy(() -> runner.start(PROJECT, Map.of("BASE_IMAGE", BASE_IMAGE), " "))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    private static MappingBuilder startBuild() {
        return CODEBUILD.operation("StartBuild");
    }

    private static List<JsonNode> startBuildBodies() {
        return CODEBUILD.requests(server, "StartBuild");
    }

    /** A ListBuildsForProject answer. */
    private static String ids(String nextToken, String... ids) {
        ObjectNode page = JSON.createObjectNode();
        ArrayNode list = page.putArray("ids");
        for (String id : ids) {
            list.add(id);
        }
        if (nextToken != null) {
            page.put("nextToken", nextToken);
        }
        return page.toString();
    }

    /** A BatchGetBuilds answer. */
    private static String builds(ObjectNode... builds) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode list = answer.putArray("builds");
        for (ObjectNode build : builds) {
            list.add(build);
        }
        answer.putArray("buildsNotFound");
        return answer.toString();
    }

    /** A build as BatchGetBuilds describes it, with the environment variables it ran with. */
    private static ObjectNode build(String id, String status, Instant startTime, JsonNode environmentVariables) {
        ObjectNode build = JSON.createObjectNode()
                .put("id", id)
                .put("arn", "arn:aws:codebuild:eu-west-1:111122223333:build/" + id)
                .put("projectName", "payments-api-image")
                .put("buildStatus", status)
                .put("buildComplete", !status.equals("IN_PROGRESS"))
                .put("startTime", startTime.toEpochMilli() / 1000.0);
        build.putObject("environment").put("type", "LINUX_CONTAINER").put("image", "aws/codebuild/standard:7.0")
                .put("computeType", "BUILD_GENERAL1_SMALL").set("environmentVariables", environmentVariables);
        return build;
    }

    private static ArrayNode mark(String token) {
        ArrayNode variables = JSON.createArrayNode();
        variables.addObject().put("name", "GANTRY_REBUILD_TOKEN").put("value", token).put("type", "PLAINTEXT");
        return variables;
    }
}
