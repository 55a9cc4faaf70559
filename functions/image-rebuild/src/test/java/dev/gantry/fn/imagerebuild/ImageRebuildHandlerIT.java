package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
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
        aws.services.resetAll();
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

        aws.services.resetAll();
        aws.acceptBuildsOf("runtime-java-image");
        JsonNode swept = invoke(handler, Fixtures.eventText(RESUME));

        assertThat(swept.at("/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(swept.at("/outcomes/0/dependent").asText()).isEqualTo("runtime-java");
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

    private static void acceptAllTwelve() {
        IntStream.rangeClosed(1, TWELVE).forEach(i -> aws.acceptBuildsOf("app-%02d-image".formatted(i)));
    }

    private static GantryConfig twelveDependents() {
        return ConfigLoader.load(Path.of("src/test/resources/twelve-dependents.yml"));
    }

    private static ImageRebuildHandler handler(GantryConfig config) {
        return new ImageRebuildHandler(ImageRebuildWiring.rebuildService(config, aws.dynamo, LoopbackAws.TABLE,
                new SdkBuildRunner(aws.codeBuild, aws.codePipeline), region -> aws.ecr, LoopbackAws.ACCOUNT, LoopbackAws.REGION,
                Clock.systemUTC()));
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
