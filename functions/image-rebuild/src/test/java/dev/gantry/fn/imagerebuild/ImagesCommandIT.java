package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageBuilderImages;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.fn.imagerebuild.ImageRebuildWiring.ImageOperations;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.ecs.EcsClient;

/**
 * The lineage report and revocation as {@code scripts/lineage} and {@code scripts/revoke} run them, with the real SDK
 * adapters against loopback ECR, ECS, CodeBuild and CodePipeline and DynamoDB Local, after the image-rebuild handler
 * has recorded the example's chain from the Gantry-derived pushes: golden/java21, then runtime/java built on it, then
 * payments-api 1.4.0 built on that, which payments-api's staging runs.
 */
class ImagesCommandIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/";
    /** The digests of gantry-ecr-push-golden-java21.json, gantry-ecr-push-runtime-java.json and gantry-ecr-push-payments-api-1.4.0.json. */
    private static final String GOLDEN = "sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720";
    private static final String RUNTIME = "sha256:b0ab965fce589f89683a969b58f502be2b104de6735b9519b9cf537604be73c5";
    private static final String PAYMENTS = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    /** The SHA-256 of the text "golden/java21 patched": the base pushed after GOLDEN, once its CVE was fixed. */
    private static final String PATCHED = "sha256:fea7398d5b43c55ce6403d772c843f53b17c1db1f60d3f342bf57d16966244ae";
    private static final String CHECKOUT_EXECUTION = "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24";
    private static final int SCRIPT_TIMEOUT_SECONDS = 120;

    private static LoopbackAws aws;
    private static EcsClient ecs;
    private MutableClock clock;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
        ecs = EcsWire.client(aws.services);
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        ecs.close();
        aws.close();
    }

    @BeforeEach
    void freshState() {
        aws.resetToTheSamples();
        aws.freshTable();
        clock = MutableClock.at("2026-03-02T09:00:00Z");
    }

    @Test
    void reportsEachChildWithItsBaseDigestHowFarBehindItIsAndTheServicesRunningIt() throws Exception {
        recordTheChain();
        aws.tagPointsAt("golden/java21", "latest", PATCHED);
        push(Fixtures.eventText("gantry-ecr-push-golden-java21.json").replace(GOLDEN, PATCHED));

        Run run = run("lineage", "--json");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        JsonNode bases = JSON.readTree(run.stdout()).at("/bases");
        assertThat(bases.at("/0/baseName").asText()).isEqualTo("golden-java21");
        assertThat(bases.at("/0/newest").asText()).isEqualTo(PATCHED);
        JsonNode runtime = bases.at("/0/children/0");
        assertThat(runtime.at("/dependent").asText()).isEqualTo("runtime-java");
        assertThat(runtime.at("/image").asText()).isEqualTo(RUNTIME);
        assertThat(runtime.at("/baseDigest").asText()).isEqualTo(GOLDEN);
        assertThat(runtime.at("/behind").asInt()).isEqualTo(1);
        assertThat(runtime.at("/runningIn")).isEmpty();
        JsonNode payments = bases.at("/1/children/0");
        assertThat(payments.at("/dependent").asText()).isEqualTo("payments-api-image");
        assertThat(payments.at("/image").asText()).isEqualTo(PAYMENTS);
        assertThat(payments.at("/baseDigest").asText()).isEqualTo(RUNTIME);
        assertThat(payments.at("/behind").asInt()).isZero();
        assertThat(payments.at("/runningIn")).extracting(JsonNode::asText).containsExactly("payments-api/staging");
    }

    @Test
    void revokingTheBaseVetoesItsDescendantsListsWhereOneRunsAndRebuildsOnTheNewestBase() throws Exception {
        recordTheChain();
        aws.tagPointsAt("golden/java21", "latest", PATCHED);
        aws.services.resetRequests();

        Run run = run("revoke", "--repository", "golden/java21", "--digest", GOLDEN, "--by", "alice@example.com",
                "--reason", "CVE-2026-1234 in the JDK", "--json");

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        JsonNode report = JSON.readTree(run.stdout());
        assertThat(report.at("/alreadyRevoked").asBoolean()).isFalse();
        assertThat(report.at("/revoked/revokedBy").asText()).isEqualTo("alice@example.com");
        assertThat(report.at("/descendants")).extracting(d -> d.at("/repository").asText() + "@" + d.at("/digest").asText())
                .containsExactly("runtime/java@" + RUNTIME, "payments-api@" + PAYMENTS);
        assertThat(report.at("/running")).singleElement().satisfies(running -> {
            assertThat(running.at("/service").asText() + "/" + running.at("/environment").asText()).isEqualTo("payments-api/staging");
            assertThat(running.at("/image").asText()).isEqualTo(REGISTRY + "payments-api@" + PAYMENTS);
        });
        assertThat(report.at("/rebuilds/0/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(vetoOf("staging", PAYMENTS)).isNotNull()
                .satisfies(veto -> assertThat(veto.by()).isEqualTo("alice@example.com"));
        assertThat(vetoOf("prod", PAYMENTS)).isNotNull();
        assertThat(aws.startBuildRequests()).singleElement().satisfies(start -> {
            assertThat(start.at("/projectName").asText()).isEqualTo("runtime-java-image");
            assertThat(variable(start, "BASE_IMAGE")).isEqualTo(REGISTRY + "golden/java21@" + PATCHED);
        });
    }

    @Test
    void revokingTheSameDigestAgainAddsNothing() throws Exception {
        recordTheChain();
        aws.tagPointsAt("golden/java21", "latest", PATCHED);
        String[] revoke = {"revoke", "--repository", "golden/java21", "--digest", GOLDEN, "--by", "alice@example.com",
                "--reason", "CVE-2026-1234 in the JDK"};
        assertThat(run(revoke).exitCode()).isZero();
        aws.services.resetRequests();

        Run again = run(revoke);

        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(again.stdout()).startsWith("golden/java21 sha256:f8d12a184946 was already revoked by alice@example.com: "
                + "2 images built on it, 0 new vetoes, 1 environment runs one");
        assertThat(again.stdout()).contains("payments-api/staging runs " + REGISTRY + "payments-api@" + PAYMENTS);
        assertThat(aws.startBuildRequests()).isEmpty();
    }

    static Stream<Arguments> badArguments() {
        String[] valid = {"--repository", "golden/java21", "--digest", GOLDEN, "--by", "alice", "--reason", "CVE"};
        String revokeUsage = "Usage: scripts/revoke --repository=REPOSITORY --digest=sha256:HEX\n"
                + "                      --by=WHO --reason=WHY [--json]\n";
        return Stream.of(
                Arguments.of(List.of(), "Missing required subcommand", "Usage: images [COMMAND]"),
                Arguments.of(List.of("rollback"), "Unmatched argument at index 0: 'rollback'", "Usage: images [COMMAND]"),
                Arguments.of(List.of("lineage", "--yaml"), "Unknown option: '--yaml'", "Usage: scripts/lineage [--json]"),
                Arguments.of(without(valid, "--digest"), "Missing required option: '--digest=sha256:HEX'", revokeUsage),
                Arguments.of(without(valid, "--by", "--reason"), "Missing required options: '--by=WHO', '--reason=WHY'", revokeUsage),
                Arguments.of(replaced(valid, "--digest", "sha256:f8d12a18"), "Invalid value for option '--digest': image digest "
                        + "'sha256:f8d12a18' must be 'sha256:' followed by 64 lower-case hex digits (found 8 characters)", revokeUsage),
                Arguments.of(replaced(valid, "--digest", "f8d12a18"),
                        "Invalid value for option '--digest': image digest 'f8d12a18' does not start with 'sha256:'", revokeUsage),
                Arguments.of(replaced(valid, "--by", " "), "Blank value for option '--by'", revokeUsage));
    }

    @ParameterizedTest
    @MethodSource("badArguments")
    void exitsTwoNamingTheProblemWithTheUsageBeforeTouchingAws(List<String> arguments, String problem, String usage) {
        Supplier<ImageOperations> untouchable = () -> {
            throw new AssertionError("bad arguments must not reach the environment or AWS");
        };

        Run run = run(untouchable, arguments.toArray(String[]::new));

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).startsWith(problem).contains(usage);
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void exitsOneWithTheReasonWhenTheEnvironmentLacksTheTable() {
        Map<String, String> environment = scriptEnvironment();
        environment.remove("GANTRY_TABLE");

        Run run = run(() -> ImageRebuildWiring.imageOperationsFromEnvironment(environment), "lineage");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.stderr()).isEqualTo("lineage: environment variable GANTRY_TABLE is not set\n");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void scriptsLineagePrintsTheReportAsAUserRunsIt() throws Exception {
        recordTheChain();
        aws.tagPointsAt("golden/java21", "latest", GOLDEN);

        Run run = runScript("scripts/lineage", scriptEnvironment());

        assertThat(run.exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout().lines()).containsExactly(
                "golden/java21 sha256:f8d12a184946 -> 1 image: 1 current",
                "runtime-java: runtime/java sha256:b0ab965fce58 on sha256:f8d12a184946, current",
                "runtime/java sha256:b0ab965fce58 -> 2 images: 1 current, 1 unknown",
                "payments-api-image: payments-api sha256:07348c117739 on sha256:b0ab965fce58, current; runs in payments-api/staging",
                "checkout-web-image: no image of checkout-web with a known base yet");
    }

    @Test
    void scriptsRevokeExitsTwoNamingAnInvalidDigest() throws Exception {
        Run run = runScript("scripts/revoke", scriptEnvironment(), "--repository", "golden/java21", "--digest", "latest",
                "--by", "alice@example.com", "--reason", "CVE-2026-1234 in the JDK");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.stderr()).startsWith("Invalid value for option '--digest': image digest 'latest' does not start with 'sha256:'")
                .contains("Usage: scripts/revoke");
        assertThat(aws.services.getAllServeEvents()).isEmpty();
    }

    /**
     * The example's chain as the handler records it from three pushes, a minute apart: the golden base, runtime/java
     * built on it, payments-api 1.4.0 built on runtime/java. Staging runs 1.4.0 by digest; prod still runs 1.3.0 by tag.
     */
    private void recordTheChain() throws IOException {
        aws.acceptBuildsOf("runtime-java-image");
        aws.acceptBuildsOf("payments-api-image");
        aws.acceptExecutionsOf("checkout-web-release", CHECKOUT_EXECUTION);
        aws.serveImageBuiltOn("runtime/java", RUNTIME, REGISTRY + "golden/java21:latest", GOLDEN);
        aws.serveImageBuiltOn("payments-api", PAYMENTS, REGISTRY + "runtime/java:latest", RUNTIME);
        aws.tagPointsAt("runtime/java", "latest", RUNTIME);
        aws.runPaymentsApi("staging", 42, REGISTRY + "payments-api@" + PAYMENTS);
        aws.runPaymentsApi("prod", 41, REGISTRY + "payments-api:1.3.0");
        push(Fixtures.eventText("gantry-ecr-push-golden-java21.json"));
        push(Fixtures.eventText("gantry-ecr-push-runtime-java.json"));
        push(Fixtures.eventText("gantry-ecr-push-payments-api-1.4.0.json"));
    }

    private void push(String event) throws IOException {
        clock.advance(Duration.ofMinutes(1));
        ImageRebuildHandler handler = new ImageRebuildHandler(ImageRebuildWiring.rebuildService(Fixtures.exampleConfig(), aws.dynamo,
                LoopbackAws.TABLE, new SdkBuildRunner(aws.codeBuild, aws.codePipeline), region -> aws.ecr, LoopbackAws.ACCOUNT,
                LoopbackAws.REGION, clock), new SdkImageBuilderImages(aws.imageBuilder));
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("image-rebuild", 60_000));
    }

    private Run run(String... arguments) {
        clock.advance(Duration.ofMinutes(1));
        GantryConfig config = Fixtures.exampleConfig();
        return run(() -> ImageRebuildWiring.imageOperations(config, aws.dynamo, LoopbackAws.TABLE,
                new SdkBuildRunner(aws.codeBuild, aws.codePipeline), region -> aws.ecr, new SdkEcsGateway(ecs),
                LoopbackAws.ACCOUNT, LoopbackAws.REGION, clock), arguments);
    }

    private static Run run(Supplier<ImageOperations> operations, String... arguments) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = ImagesCommand.run(operations, new PrintWriter(out, true), new PrintWriter(err, true), arguments);
        return new Run(exitCode, out.toString(), err.toString());
    }

    private static Veto vetoOf(String environment, String digest) {
        return new DynamoDbDeployControls(aws.dynamo, LoopbackAws.TABLE)
                .vetoOf("payments-api", environment, ImageDigest.parse(digest)).orElse(null);
    }

    private static String variable(JsonNode startBuild, String name) {
        for (JsonNode variable : startBuild.at("/environmentVariablesOverride")) {
            if (name.equals(variable.at("/name").asText())) {
                return variable.at("/value").asText();
            }
        }
        throw new AssertionError("no " + name + " override in " + startBuild);
    }

    private static List<String> without(String[] arguments, String... options) {
        List<String> kept = new ArrayList<>(List.of("revoke"));
        for (int i = 0; i < arguments.length; i += 2) {
            if (!List.of(options).contains(arguments[i])) {
                kept.add(arguments[i]);
                kept.add(arguments[i + 1]);
            }
        }
        return kept;
    }

    private static List<String> replaced(String[] arguments, String option, String value) {
        List<String> changed = new ArrayList<>(List.of("revoke"));
        for (int i = 0; i < arguments.length; i += 2) {
            changed.add(arguments[i]);
            changed.add(arguments[i].equals(option) ? value : arguments[i + 1]);
        }
        return changed;
    }

    /** What the scripts document, aimed at the loopback servers. */
    private static Map<String, String> scriptEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put("GANTRY_TABLE", LoopbackAws.TABLE);
        env.put(ImageRebuildWiring.REGISTRY_ACCOUNT_ENV, LoopbackAws.ACCOUNT);
        env.put("AWS_REGION", LoopbackAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.services.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }

    /**
     * Runs a script of {@code scripts/} as a user would, in a fresh process, as {@code InvokeScript} runs
     * {@code scripts/invoke}: the process sees the given variables plus PATH, HOME and JAVA_HOME only.
     */
    private static Run runScript(String script, Map<String, String> environment, String... arguments)
            throws IOException, InterruptedException {
        Path root = Fixtures.root();
        List<String> command = new ArrayList<>(List.of(root.resolve(script).toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        process.getOutputStream().close();
        StringBuilder err = new StringBuilder();
        // Drained beside stdout: a script that fills one pipe while the test reads the other would hang.
        Thread drain = Thread.ofVirtual().start(() -> process.errorReader(StandardCharsets.UTF_8).lines()
                .forEach(l -> err.append(l).append('\n')));
        String out = process.inputReader(StandardCharsets.UTF_8).lines().collect(Collectors.joining("\n"));
        if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(script + " did not finish in " + SCRIPT_TIMEOUT_SECONDS + " s; stderr:\n" + err);
        }
        drain.join();
        return new Run(process.exitValue(), out, err.toString());
    }

    private record Run(int exitCode, String stdout, String stderr) {}
}
