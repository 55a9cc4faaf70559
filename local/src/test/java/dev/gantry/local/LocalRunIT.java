package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalRunIT {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final LocalRun run = new LocalRun(new PrintStream(printed, true, StandardCharsets.UTF_8), Fixtures.root().resolve("events"));

    @Test
    void replaysTheDefaultStoryPrintingPlansAndTheNewTaskDefinition() {
        Path root = Fixtures.root();
        List<Path> events = LocalRun.DEFAULT_EVENTS.stream().map(root::resolve).toList();

        int exit = run.run(Fixtures.exampleConfigFile(), events);

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        String pinned = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
        assertThat(output)
                .contains("payments-api staging  DEPLOYED")
                .contains("change  app: payments-api:running -> payments-api:1.4.0@sha256:07348c117739")
                .contains("new task definition payments-api-staging:2")
                .contains("app  " + pinned)
                .contains("log-router  " + LocalRun.SIDECAR_IMAGE)
                .contains("rollout ecs-svc/local-1: RECORDED COMPLETED (ECS deployment ecs-svc/local-1 completed.)")
                .contains("rollout ecs-svc/local-2: RECORDED COMPLETED")
                .contains("payments-api prod     HELD")
                .contains("DUPLICATE")
                .contains("tag '2.0.0' is not a release")
                .contains("checkout-web staging  DEPLOYED")
                .contains("ignored: ECR DELETE SUCCESS")
                .contains("Done: 5 events replayed.");
    }

    @Test
    void exitsNonZeroWhenAnEventFails(@TempDir Path dir) throws Exception {
        Path badDigest = dir.resolve("bad-digest.json");
        Files.writeString(badDigest, Fixtures.eventText("ecr-image-action-push-success.json")
                .replace("my-repository-name", "payments-api").replace("\"latest\"", "\"1.4.0\""));

        int exit = run.run(Fixtures.exampleConfigFile(), List.of(badDigest));

        assertThat(exit).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("FAILED: detail.image-digest").contains("1 of 1 events failed");
    }

    @Test
    void explainsAnInvalidConfiguration(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gantry.yml");
        Files.writeString(config, "version: 1\nservices:\n  - name: x\n    repositry: x\n");

        int exit = run.run(config, List.of());

        assertThat(exit).isEqualTo(1);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("gantry.yml:4").contains("unknown key 'repositry'");
    }
}
