package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command: {@code scripts/run-local --auto-approve} as a newcomer runs it (building what it needs),
 * and the local run stopping, non-zero, at the step that fails.
 */
class LocalRunIT {

    private static final Path ROOT = Fixtures.root();

    /** Each step's line, in the order the run must print them. */
    private static final List<String> STORY = List.of(
            "Gantry local run: local/gantry.yml, payments-api from a new golden/java21 to staging and, past gate 'production', prod",
            "Synthesis: stack Gantry has \\d+ resources; cloud assembly in " + Pattern.quote(ROOT.resolve("local/target/cdk.out").toString())
                    + " \\(\\d+\\.\\d s\\)",
            "AWS: ECS, ECR, CodeBuild and CloudWatch in memory, state in DynamoDB Local, queues in memory",
            "Slack channel page: http://localhost:\\d+/ ",
            "1\\. golden image push: golden/java21:latest sha256:f8d12a184946 \\(ECR Image Action to image-rebuild\\)",
            "2\\. rebuild wave started: golden-java21 sha256:f8d12a184946: rebuilding 2 images, wave 1 of 1",
            "payments-api-image \\(codebuild payments-api-image\\): .*payments-api-image:1",
            "build payments-api-image:1 finished: SUCCEEDED",
            "3\\. app image push: payments-api:1\\.4\\.0 sha256:07348c117739, built by payments-api-image:1 on golden/java21 sha256:f8d12a184946",
            "4\\. staging deploy: payments-api staging DEPLOYED: task definition payments-api-staging:2",
            "change app: payments-api:running -> payments-api:1\\.4\\.0@sha256:07348c117739",
            "payments-api prod HELD: held at gate 'production'",
            "5\\. rollout completes: payments-api staging ecs-svc/local-1 COMPLETED",
            "6\\. production gate waits for approval: \"Approve payments-api 1\\.4\\.0 for prod\\?\" in #releases; gate 'production': ",
            "approving as U0LOCAL0001 \\(--auto-approve\\)",
            "7\\. approval clicked: Approve by U0LOCAL0001 \\(slack-interactions answered 200\\); chatops-worker recorded it: gate PASSED",
            "8\\. production deploy: payments-api prod DEPLOYED by the gate sweep: task definition payments-api-prod:2",
            "rollout ecs-svc/local-2 COMPLETED",
            "9\\. release thread complete: #releases \"[^\"]+\" \\(\\d+ replies, \\d+ updates in place\\)",
            "Done: the whole release in \\d+\\.\\d s; the run took \\d+\\.\\d s after the build \\(synthesis \\d+\\.\\d s\\)\\.");

    @Test
    void playsTheWholeReleaseUnattendedAndExitsZero(@TempDir Path dir) throws IOException, InterruptedException {
        Path log = dir.resolve("run-local.log");
        Process run = new ProcessBuilder(ROOT.resolve("scripts/run-local").toString(), "--auto-approve", "--port", "0")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = run.waitFor(10, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("scripts/run-local finished within 10 minutes, its build included:%n%s", output).isTrue();
        assertThat(run.exitValue()).as(output).isZero();
        assertInOrder(output, STORY);
        Matcher timing = Pattern.compile("the run took (\\d+\\.\\d) s after the build").matcher(output);
        assertThat(timing.find()).as(output).isTrue();
        assertThat(Double.parseDouble(timing.group(1))).as("seconds after the build").isLessThan(120);
        int resources = new ObjectMapper().readTree(ROOT.resolve("local/target/cdk.out/Gantry.template.json").toFile())
                .path("Resources").size();
        assertThat(output).contains("stack Gantry has " + resources + " resources");
        // The ChatOps functions the story runs are in the stack it synthesized.
        assertThat(Files.readString(ROOT.resolve("local/target/cdk.out/Gantry.template.json"))).contains("SlackInteractions");
    }

    @Test
    void stopsNonZeroAtTheRolloutThatEcsRolledBackAndGoesOnWithoutNode() {
        Printed printed = new Printed();
        LocalRun run = new LocalRun(printed.out, printed.err, InputStream.nullInputStream(), ROOT, "/nonexistent");

        int exit = run.run(options("--auto-approve", "--fail-rollout", "--port", "0"));

        String output = printed.out();
        assertThat(exit).as(output).isEqualTo(1);
        assertInOrder(output, List.of(
                "Synthesis: skipped: Node\\.js is not installed, and the CDK synthesizes through it; install Node 18 or newer",
                "4\\. staging deploy: payments-api staging DEPLOYED",
                "5\\. rollout completes: FAILED: payments-api staging ecs-svc/local-1 ROLLED_BACK \\(.*circuit breaker.*rolled the service back",
                "Stopped after 4 of 9 steps"));
        assertThat(output).doesNotContain("6. production gate");
    }

    @Test
    void explainsAnInvalidConfiguration(@TempDir Path dir) throws IOException {
        Path config = dir.resolve("gantry.yml");
        Files.writeString(config, "version: 1\nservices:\n  - name: x\n    repositry: x\n");
        Printed printed = new Printed();

        int exit = new LocalRun(printed.out, printed.err, InputStream.nullInputStream(), ROOT, System.getenv("PATH")).run(options("--config", config.toString()));

        assertThat(exit).isEqualTo(1);
        assertThat(printed.out()).contains("gantry.yml:4").contains("unknown key 'repositry'");
    }

    @Test
    void saysWhatAConfigurationLacksForTheStory() {
        Printed printed = new Printed();

        int exit = new LocalRun(printed.out, printed.err, InputStream.nullInputStream(), ROOT, System.getenv("PATH")).run(options("--config", "examples/gantry.yml"));

        assertThat(exit).isEqualTo(1);
        assertThat(printed.out()).contains("examples/gantry.yml names no Slack workspace and app (slack.teamId, slack.appId)");
    }

    static LocalRun.Options options(String... args) {
        return LocalRun.Options.parse(List.of(args), Map.of());
    }

    /** Each pattern found, each after the one before it. */
    static void assertInOrder(String output, List<String> patterns) {
        int from = 0;
        for (String pattern : patterns) {
            Matcher found = Pattern.compile(pattern).matcher(output);
            assertThat(found.find(from)).as("'%s' after position %d in:%n%s", pattern, from, output).isTrue();
            from = found.end();
        }
    }

    static final class Printed {
        private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
        final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

        String out() {
            return outBytes.toString(StandardCharsets.UTF_8) + errBytes.toString(StandardCharsets.UTF_8);
        }
    }
}
