package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkImageBuilderImages;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.JsonLogLines;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The rebuild function as Lambda runs it, with the real SDK adapters against loopback CodeBuild and ECR and DynamoDB
 * Local, fed the Gantry-derived events.
 */
class ImageRebuildHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE_PUSH = "gantry-ecr-push-golden-java21.json";
    private static final String BUILD_SUCCEEDED = "gantry-codebuild-build-succeeded-runtime-java-image.json";
    private static final String RESUME = "gantry-scheduled-event-rebuild-resume.json";
    private static final String BASE_IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21"
            + "@sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720";
    private static final String IMAGE_AVAILABLE = "gantry-imagebuilder-image-available.json";
    private static final String IMAGE_BUILDER_ACCOUNT = "111122223333";
    private static final String IMAGE_BUILDER_IMAGE = "arn:aws:imagebuilder:eu-west-1:111122223333:image/base-java21/1.0.0/3";
    private static final String IMAGE_PIPELINE = "arn:aws:imagebuilder:eu-west-1:111122223333:image-pipeline/base-java21";
    private static final String DISTRIBUTED = "111122223333.dkr.ecr.eu-west-1.amazonaws.com/base-java21:1.0.0-3";
    private static final String IMAGE_BUILDER_DIGEST = "sha256:5e0d2c6b8a4f1e3d7c9b2a6f4e8d1c3b5a7f9e2d4c6b8a1f3e5d7c9b2a4f6e8d";
    private static final String RUNTIME_IMAGE = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/runtime/java"
            + "@sha256:b0ab965fce589f89683a969b58f502be2b104de6735b9519b9cf537604be73c5";
    private static final String CHECKOUT_EXECUTION = "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24";
    private static final int TWELVE = 12;
    private static final int BOUND = 3;

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
    void freshState() {
        aws.resetToTheSamples();
        aws.freshTable();
    }

    @Test
    void startsTheDirectDependentsBuildOnTheBasePushPinnedToItsDigest() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());

        JsonNode report = invoke(handler, Fixtures.eventText(BASE_PUSH));

        assertThat(report.at("/result").asText()).isEqualTo("REBUILDING");
        assertThat(report.at("/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(report.at("/outcomes/0/buildId").asText()).isEqualTo("runtime-java-image:" + LoopbackAws.BUILD_UUID);
        JsonNode start = single(aws.startBuildRequests());
        assertThat(start.at("/projectName").asText()).isEqualTo("runtime-java-image");
        assertThat(variable(start, "BASE_IMAGE")).isEqualTo(BASE_IMAGE);
    }

    @Test
    void startsNoMoreBuildsThanTheBoundAndTheNextOneWhenABuildFinishes() throws Exception {
        acceptAllTwelve();
        ImageRebuildHandler handler = handler(twelveDependents());

        JsonNode pushed = invoke(handler, Fixtures.eventText(BASE_PUSH));

        List<JsonNode> started = aws.startBuildRequests();
        assertThat(started).hasSize(BOUND);
        assertThat(started).extracting(s -> s.at("/projectName").asText()).doesNotHaveDuplicates();
        assertThat(started).allSatisfy(s -> assertThat(variable(s, "BASE_IMAGE")).isEqualTo(BASE_IMAGE));
        assertThat(pushed.at("/outcomes")).hasSize(TWELVE);

        String finishedProject = started.get(0).at("/projectName").asText();
        JsonNode finished = invoke(handler, Fixtures.eventText(BUILD_SUCCEEDED).replace("runtime-java-image", finishedProject));

        assertThat(finished.at("/outcomes/0/action").asText()).isEqualTo("FINISHED");
        List<JsonNode> afterFinish = aws.startBuildRequests();
        assertThat(afterFinish).hasSize(BOUND + 1);
        assertThat(afterFinish).extracting(s -> s.at("/projectName").asText()).doesNotHaveDuplicates();
    }

    @Test
    void logsTheRebuildsInFlightAfterEachEventAsANumber() throws Exception {
        acceptAllTwelve();
        ImageRebuildHandler handler = handler(twelveDependents());
        List<JsonNode> lines;
        try (JsonLogLines log = JsonLogLines.capture()) {
            invoke(handler, Fixtures.eventText(BASE_PUSH));
            String finishedProject = aws.startBuildRequests().get(0).at("/projectName").asText();
            invoke(handler, Fixtures.eventText(BUILD_SUCCEEDED).replace("runtime-java-image", finishedProject));
            lines = log.lines().stream().filter(line -> line.has("rebuildsInFlight")).toList();
        }

        assertThat(lines).hasSize(2);
        assertThat(lines).allSatisfy(line -> {
            assertThat(line.path("rebuildsInFlight").isInt()).as(line.toString()).isTrue();
            assertThat(line.path("rebuildResult").asText()).isEqualTo("REBUILDING");
        });
        assertThat(lines.get(0).path("message").asText()).contains("rebuilding 12 images, wave 1 of 1");
        // The wave of twelve holds every slot; the finished build's slot went to the next one at once.
        assertThat(lines).extracting(line -> line.path("rebuildsInFlight").asInt()).containsExactly(BOUND, BOUND);
    }

    @Test
    void logsNoRebuildsInFlightOnceTheLastBuildFinished() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());
        List<JsonNode> lines;
        try (JsonLogLines log = JsonLogLines.capture()) {
            invoke(handler, Fixtures.eventText(BASE_PUSH));
            invoke(handler, Fixtures.eventText(BUILD_SUCCEEDED).replace("\"SUCCEEDED\"", "\"IN_PROGRESS\""));
            invoke(handler, Fixtures.eventText(BUILD_SUCCEEDED));
            lines = log.lines().stream().filter(line -> line.has("rebuildsInFlight")).toList();
        }

        assertThat(lines).extracting(line -> line.path("rebuildResult").asText()).containsExactly("REBUILDING", "IGNORED", "REBUILDING");
        assertThat(lines).extracting(line -> line.path("rebuildsInFlight").asInt()).containsExactly(1, 1, 0);
    }

    @Test
    void startsEachDependentOnceWhenThePushIsDeliveredEightTimesAtOnce() throws Exception {
        acceptAllTwelve();
        ImageRebuildHandler handler = handler(twelveDependents());
        String push = Fixtures.eventText(BASE_PUSH);
        int deliveries = 8;
        CountDownLatch ready = new CountDownLatch(deliveries);
        ExecutorService threads = Executors.newFixedThreadPool(deliveries);
        try {
            List<Future<JsonNode>> answers = new ArrayList<>();
            for (int i = 0; i < deliveries; i++) {
                answers.add(threads.submit((Callable<JsonNode>) () -> {
                    ready.countDown();
                    ready.await();
                    return invoke(handler, push);
                }));
            }
            for (Future<JsonNode> answer : answers) {
                answer.get();
            }
        } finally {
            threads.shutdownNow();
        }

        List<JsonNode> started = aws.startBuildRequests();
        assertThat(started).hasSize(BOUND);
        assertThat(started).extracting(s -> s.at("/projectName").asText()).doesNotHaveDuplicates();
    }

    @Test
    void keepsTheRebuildPendingWhileCodeBuildIsFullAndTheSweepStartsItOnceItAccepts() throws Exception {
        aws.refuseBuildsForAccountLimit();
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());

        JsonNode refused = invoke(handler, Fixtures.eventText(BASE_PUSH));

        assertThat(refused.at("/outcomes/0/action").asText()).isEqualTo("DEFERRED");
        assertThat(refused.at("/outcomes/0/status").asText()).isEqualTo("PENDING");
        assertThat(aws.startBuildRequests()).hasSize(1);

        aws.resetToTheSamples();
        aws.acceptBuildsOf("runtime-java-image");
        JsonNode swept = invoke(handler, Fixtures.eventText(RESUME));

        assertThat(swept.at("/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(swept.at("/outcomes/0/dependent").asText()).isEqualTo("runtime-java");
        // The second attempt looked for a build of the first before it started one.
        assertThat(aws.buildListings()).isEqualTo(1);
        JsonNode start = single(aws.startBuildRequests());
        assertThat(variable(start, "BASE_IMAGE")).isEqualTo(BASE_IMAGE);

        JsonNode sweptAgain = invoke(handler, Fixtures.eventText(RESUME));

        assertThat(sweptAgain.at("/outcomes")).isEmpty();
        assertThat(aws.startBuildRequests()).hasSize(1);
    }

    @Test
    void rejectsABuildEventWithoutItsBuildIdNamingTheField() {
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());
        String noBuildId = Fixtures.eventText(BUILD_SUCCEEDED).replace("\"build-id\"", "\"no-build-id\"");

        assertThatThrownBy(() -> invoke(handler, noBuildId))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail.build-id: missing");
        assertThat(aws.services.getAllServeEvents()).isEmpty();
    }

    @Test
    void rejectsAScheduledRebuildWithoutItsBaseNamingTheField() {
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());
        String noBase = Fixtures.eventText("gantry-scheduled-rebuild-golden-java21.json").replace("\"base\"", "\"image\"");

        assertThatThrownBy(() -> invoke(handler, noBase))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail.base: missing");
    }

    @Test
    void rejectsAnEventOfAnotherKindNamingItsDetailType() {
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());

        assertThatThrownBy(() -> invoke(handler, Fixtures.eventText("ecs-deployment-state-change-completed.json")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("detail-type: 'ECS Deployment State Change'");
    }

    @Test
    void ignoresABuildThatIsStillRunning() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());
        invoke(handler, Fixtures.eventText(BASE_PUSH));

        JsonNode running = invoke(handler, Fixtures.eventText(BUILD_SUCCEEDED).replace("\"SUCCEEDED\"", "\"IN_PROGRESS\""));

        assertThat(running.at("/result").asText()).isEqualTo("IGNORED");
        assertThat(running.at("/note").asText()).contains("still running");
    }

    @Test
    void rebuildsOnTheCurrentBaseDigestWhenTheScheduleFires() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");
        aws.services.stubFor(dev.gantry.aws.JsonProtocolWire.ECR.operation("DescribeImages")
                .willReturn(dev.gantry.aws.JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111111111111","repositoryName":"golden/java21",
                          "imageDigest":"sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720","imageTags":["latest"]}]}""")));
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());
        String scheduled = Fixtures.eventText("gantry-scheduled-rebuild-golden-java21.json");

        JsonNode first = invoke(handler, scheduled);
        JsonNode redelivered = invoke(handler, scheduled);

        assertThat(first.at("/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(redelivered.at("/outcomes/0/action").asText()).isEqualTo("ALREADY_PLANNED");
        assertThat(variable(single(aws.startBuildRequests()), "BASE_IMAGE")).isEqualTo(BASE_IMAGE);
    }

    @Test
    void rebuildsOnTheImageBuilderImageItsPipelineDistributedToTheBaseRepository() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");
        aws.describeImageBuilderImage(IMAGE_BUILDER_IMAGE, IMAGE_PIPELINE, "AVAILABLE", List.of(DISTRIBUTED));
        aws.services.stubFor(dev.gantry.aws.JsonProtocolWire.ECR.operation("DescribeImages")
                .willReturn(dev.gantry.aws.JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111122223333","repositoryName":"base-java21",
                          "imageDigest":"%s","imageTags":["1.0.0-3","latest"]}]}""".formatted(IMAGE_BUILDER_DIGEST))));
        ImageRebuildHandler handler = handler(imageBuilderConfig(), IMAGE_BUILDER_ACCOUNT);

        JsonNode report = invoke(handler, Fixtures.eventText(IMAGE_AVAILABLE));

        assertThat(report.at("/result").asText()).isEqualTo("REBUILDING");
        assertThat(aws.imageBuilderLookups()).isEqualTo(1);
        assertThat(variable(single(aws.startBuildRequests()), "BASE_IMAGE"))
                .isEqualTo("111122223333.dkr.ecr.eu-west-1.amazonaws.com/base-java21@" + IMAGE_BUILDER_DIGEST);
    }

    @Test
    void reportsAFailedImageBuilderImageWithItsReasonAndStartsNothing() throws Exception {
        aws.describeImageBuilderImage(IMAGE_BUILDER_IMAGE, IMAGE_PIPELINE, "FAILED", List.of());
        ImageRebuildHandler handler = handler(imageBuilderConfig(), IMAGE_BUILDER_ACCOUNT);
        String failed = Fixtures.eventText(IMAGE_AVAILABLE)
                .replace("\"status\": \"AVAILABLE\"", "\"status\": \"FAILED\", \"reason\": \"Component apt-upgrade failed\"");

        JsonNode report = invoke(handler, failed);

        assertThat(report.at("/result").asText()).isEqualTo("BASE_FAILED");
        assertThat(report.at("/note").asText()).contains("base-java21", "Component apt-upgrade failed");
        assertThat(aws.startBuildRequests()).isEmpty();
    }

    @Test
    void readsNothingBackForAnImageStillBeingBuilt() throws Exception {
        ImageRebuildHandler handler = handler(imageBuilderConfig(), IMAGE_BUILDER_ACCOUNT);
        String testing = Fixtures.eventText(IMAGE_AVAILABLE).replace("\"status\": \"AVAILABLE\"", "\"status\": \"TESTING\"");

        JsonNode report = invoke(handler, testing);

        assertThat(report.at("/result").asText()).isEqualTo("IGNORED");
        assertThat(aws.imageBuilderLookups()).isZero();
    }

    @Test
    void failsTheInvocationWhenImageBuilderCannotBeReadSoTheEventIsRetried() {
        aws.failImageBuilderLookups(IMAGE_BUILDER_IMAGE);
        ImageRebuildHandler handler = handler(imageBuilderConfig(), IMAGE_BUILDER_ACCOUNT);

        assertThatThrownBy(() -> invoke(handler, Fixtures.eventText(IMAGE_AVAILABLE)))
                .hasMessageContaining("GetImage " + IMAGE_BUILDER_IMAGE);
        assertThat(aws.startBuildRequests()).isEmpty();
    }

    @Test
    void startsTheNextWavesPipelineWithTheBaseAsAVariableAndFreesItsSlotWhenTheExecutionEnds() throws Exception {
        aws.acceptBuildsOf("payments-api-image");
        aws.acceptExecutionsOf("checkout-web-release", CHECKOUT_EXECUTION);
        ImageRebuildHandler handler = handler(Fixtures.exampleConfig());

        JsonNode pushed = invoke(handler, Fixtures.eventText("gantry-ecr-push-runtime-java.json"));

        assertThat(pushed.at("/result").asText()).isEqualTo("REBUILDING");
        JsonNode execution = single(aws.startPipelineExecutionRequests());
        assertThat(execution.at("/name").asText()).isEqualTo("checkout-web-release");
        assertThat(execution.at("/variables")).anySatisfy(v -> {
            assertThat(v.at("/name").asText()).isEqualTo("BASE_IMAGE");
            assertThat(v.at("/value").asText()).isEqualTo(RUNTIME_IMAGE);
        });
        assertThat(variable(single(aws.startBuildRequests()), "BASE_IMAGE")).isEqualTo(RUNTIME_IMAGE);

        String ended = Fixtures.eventText("gantry-codepipeline-execution-succeeded-checkout-web-release.json");
        JsonNode finished = invoke(handler, ended);
        JsonNode redelivered = invoke(handler, ended);

        assertThat(finished.at("/outcomes/0/action").asText()).isEqualTo("FINISHED");
        assertThat(finished.at("/outcomes/0/dependent").asText()).isEqualTo("checkout-web-image");
        assertThat(redelivered.at("/outcomes/0/action").asText()).isEqualTo("ALREADY_PLANNED");
    }

    private static void acceptAllTwelve() {
        IntStream.rangeClosed(1, TWELVE).forEach(i -> aws.acceptBuildsOf("app-%02d-image".formatted(i)));
    }

    private static GantryConfig twelveDependents() {
        return ConfigLoader.load(Path.of("src/test/resources/twelve-dependents.yml"));
    }

    private static GantryConfig imageBuilderConfig() {
        return ConfigLoader.load(Path.of("src/test/resources/image-builder.yml"));
    }

    private static ImageRebuildHandler handler(GantryConfig config) {
        return handler(config, LoopbackAws.ACCOUNT);
    }

    private static ImageRebuildHandler handler(GantryConfig config, String registryAccount) {
        return new ImageRebuildHandler(ImageRebuildWiring.rebuildService(config, aws.dynamo, LoopbackAws.TABLE,
                new SdkBuildRunner(aws.codeBuild, aws.codePipeline), region -> aws.ecr, registryAccount, LoopbackAws.REGION,
                Clock.systemUTC()), new SdkImageBuilderImages(aws.imageBuilder));
    }

    private static JsonNode invoke(ImageRebuildHandler handler, String event) throws Exception {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("image-rebuild", 60_000));
        return JSON.readTree(output.toByteArray());
    }

    private static JsonNode single(List<JsonNode> requests) {
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    private static String variable(JsonNode startBuild, String name) {
        for (JsonNode variable : startBuild.at("/environmentVariablesOverride")) {
            if (name.equals(variable.at("/name").asText())) {
                return variable.at("/value").asText();
            }
        }
        throw new AssertionError("no " + name + " override in " + startBuild);
    }
}
