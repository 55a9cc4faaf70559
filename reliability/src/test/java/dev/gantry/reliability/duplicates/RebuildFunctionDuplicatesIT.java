package dev.gantry.reliability.duplicates;

import static dev.gantry.reliability.duplicates.DuplicateFigures.COPIES;
import static dev.gantry.reliability.duplicates.DuplicateFigures.ROUNDS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbLineageHistory;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.DynamoDbRevokedBases;
import dev.gantry.aws.EcrTagsWire;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkImageLabels;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.fn.imagerebuild.ImageRebuildHandler;
import dev.gantry.reliability.duplicates.AtOnce.Delivery;
import dev.gantry.reliability.duplicates.AtOnce.Invocation;
import dev.gantry.testing.Fixtures;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The image-rebuild handler given a base image's push, and then the end of one of the builds it started, each many
 * times at once: the rebuild ledger in DynamoDB Local through the real adapter, CodeBuild on the wire. Each dependent is
 * started once, no more at a time than the bound allows, and a build's end frees one slot for one more start.
 */
class RebuildFunctionDuplicatesIT {

    private static final int BOUND = 2;
    /** The example's golden base with four direct dependents, two of which may build at once. */
    private static final GantryConfig FOUR_DEPENDENTS = ConfigLoader.parse("""
            version: 1
            rebuilds: { maxConcurrentBuilds: %d }
            baseImages:
              - name: golden-java21
                repository: golden/java21
                tag: latest
                dependents:
                  - { name: runtime-java, codebuild: runtime-java-image, produces: runtime/java }
                  - { name: runtime-kotlin, codebuild: runtime-kotlin-image, produces: runtime/kotlin }
                  - { name: runtime-scala, codebuild: runtime-scala-image, produces: runtime/scala }
                  - { name: runtime-groovy, codebuild: runtime-groovy-image, produces: runtime/groovy }
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: payments-api }
            """.formatted(BOUND), "gantry.yml");
    private static final List<String> PROJECTS = List.of("runtime-java-image", "runtime-kotlin-image", "runtime-scala-image",
            "runtime-groovy-image");
    private static final String BASE_PUSH = "gantry-ecr-push-golden-java21.json";
    private static final String BUILD_SUCCEEDED = "gantry-codebuild-build-succeeded-runtime-java-image.json";

    @RegisterExtension
    static final LoopbackAws aws = new LoopbackAws();

    @Test
    void startsEachDependentOnceAndOneMorePerFinishedBuildWhenEventsArriveManyTimesAtOnce() throws Exception {
        DuplicateFigures figures = new DuplicateFigures();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                String table = aws.newRound();
                EcrTagsWire.asTheSampleBasePushesLeftThem(aws.server);
                PROJECTS.forEach(aws::acceptBuildsOf);
                String push = Fixtures.eventText(BASE_PUSH);

                List<Delivery> pushes = AtOnce.deliver(COPIES, copy -> new Invocation(imageRebuild(table), push));

                assertThat(pushes).noneMatch(Delivery::failed);
                List<String> started = projects(aws.startBuilds());
                assertThat(started).as("builds started on the push").hasSize(BOUND).doesNotHaveDuplicates();
                long lost = pushes.stream().filter(d -> !d.answer().path("result").asText().equals("REBUILDING")).count();

                String finishedProject = started.getFirst();
                String finished = Fixtures.eventText(BUILD_SUCCEEDED).replace("runtime-java-image", finishedProject);

                List<Delivery> ends = AtOnce.deliver(COPIES, copy -> new Invocation(imageRebuild(table), finished));

                assertThat(ends).noneMatch(Delivery::failed);
                List<JsonNode> finishes = ends.stream().map(d -> d.answer().path("outcomes"))
                        .flatMap(JsonNode::valueStream)
                        .filter(o -> o.path("action").asText().equals("FINISHED")).toList();
                lost += ends.stream().filter(d -> !d.answer().path("result").asText().equals("REBUILDING")).count();
                List<String> startedInAll = projects(aws.startBuilds());
                figures.round(2 * COPIES, 2, startedInAll.size() + finishes.size(), BOUND + 1 + 1, lost);
                assertThat(finishes).as("copies that recorded the build's end").hasSize(1);
                assertThat(startedInAll).as("builds started in all").hasSize(BOUND + 1).doesNotHaveDuplicates();
                assertThat(lost).isZero();
            }
        } finally {
            figures.record();
        }
    }

    private static List<String> projects(List<JsonNode> startBuilds) {
        return startBuilds.stream().map(start -> start.path("projectName").asText()).toList();
    }

    private ImageRebuildHandler imageRebuild(String table) {
        RebuildService rebuilds = new RebuildService(FOUR_DEPENDENTS, new DynamoDbRebuildLedger(aws.dynamo, table),
                new SdkBuildRunner(aws.codeBuild, aws.codePipeline), new SdkImageLabels(region -> aws.ecr), new SdkImageRegistry(aws.ecr),
                LoopbackAws.ACCOUNT, "eu-west-1", Clock.systemUTC(), new DynamoDbRevokedBases(aws.dynamo, table),
                new DynamoDbDeployControls(aws.dynamo, table), new DynamoDbLineageHistory(aws.dynamo, table));
        return new ImageRebuildHandler(rebuilds, image -> {
            throw new IllegalStateException("no Image Builder event is delivered here");
        });
    }
}
