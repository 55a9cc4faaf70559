package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Synthesizes Gantry's stack for the run's configuration with the CDK app in {@code cdk/}, as {@code cdk synth} runs
 * it but without the CLI and Maven in between: the app's main class in a JVM of its own (the CDK is Node underneath,
 * through jsii), given the context of {@code cdk/cdk.json} and the run's own as {@code CDK_CONTEXT_JSON}, writing the
 * cloud assembly to {@code CDK_OUTDIR}. ChatOps is in the stack (the story needs it), its secrets named by ARNs that
 * point nowhere.
 */
final class Synthesis {

    static final String APP = "dev.gantry.cdk.GantryApp";
    /** What {@code scripts/run-local} writes when it builds the CDK app: the app's runtime classpath. */
    static final String CLASSPATH_FILE = "cdk/target/runtime-classpath.txt";
    static final String SIGNING_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/local-slack-signing-secret-AbCdEf";
    static final String BOT_TOKEN_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/local-slack-bot-token-AbCdEf";
    private static final long TIMEOUT_MINUTES = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What came of it.
     *
     * @param skipped why it did not run (Node missing, the app not built, asked not to); null when it ran
     * @param failure why it failed; null when it did not
     * @param resources resources per stack, by stack name
     */
    record Result(String skipped, String failure, Map<String, Integer> resources, Path cloudAssembly, long millis) {
        boolean failed() {
            return failure != null;
        }
    }

    private final Path root;
    private final String searchPath;

    /**
     * @param root the repository: {@code cdk/} and its build are found under it
     * @param searchPath where Node is looked for, and where the app's jsii finds it: the {@code PATH}
     */
    Synthesis(Path root, String searchPath) {
        this.root = root;
        this.searchPath = searchPath;
    }

    Result run(Path config, Path out) {
        long started = System.nanoTime();
        if (!onPath(searchPath, "node")) {
            return skipped("Node.js is not installed, and the CDK synthesizes through it; install Node 18 or newer to see the stack");
        }
        Path classpathFile = root.resolve(CLASSPATH_FILE);
        if (!Files.isRegularFile(classpathFile)) {
            return skipped("the CDK app is not built (" + classpathFile + " is missing); scripts/run-local builds it");
        }
        try {
            deleteCloudAssembly(out);
            Files.createDirectories(out);
            Path log = out.resolveSibling(out.getFileName() + ".log");
            String classpath = root.resolve("cdk/target/classes") + File.pathSeparator + Files.readString(classpathFile, StandardCharsets.UTF_8).strip();
            ProcessBuilder app = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-Dgantry.cdk.dir=" + root.resolve("cdk"), "-cp", classpath, APP)
                    .directory(root.resolve("cdk").toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> environment = app.environment();
            environment.put("PATH", searchPath);
            environment.put("CDK_OUTDIR", out.toString());
            environment.put("CDK_CONTEXT_JSON", context(config).toString());
            // jsii warns in a large box on every start that Node 20 is past its end of life; scripts/synth silences it too.
            environment.put("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1");
            environment.put("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20");
            Process process = app.start();
            if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return failed("the CDK app did not finish within " + TIMEOUT_MINUTES + " minutes (its output: " + log + ")", started);
            }
            if (process.exitValue() != 0) {
                return failed("the CDK app exited with " + process.exitValue() + ": " + lastLines(log), started);
            }
            return new Result(null, null, resources(out), out, elapsed(started));
        } catch (IOException e) {
            return failed(e.getMessage(), started);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed("interrupted", started);
        }
    }

    static Result skipped(String why) {
        return new Result(why, null, Map.of(), null, 0);
    }

    private static Result failed(String why, long started) {
        return new Result(null, why, Map.of(), null, elapsed(started));
    }

    /** The feature flags and settings of {@code cdk/cdk.json}, which the CLI would pass, and the run's own context. */
    private ObjectNode context(Path config) throws IOException {
        JsonNode cdkJson = JSON.readTree(root.resolve("cdk/cdk.json").toFile());
        ObjectNode context = cdkJson.path("context").isObject() ? (ObjectNode) cdkJson.path("context").deepCopy() : JSON.createObjectNode();
        return context.put("config", config.toAbsolutePath().toString())
                .put("slackSigningSecretArn", SIGNING_SECRET_ARN)
                .put("slackBotTokenSecretArn", BOT_TOKEN_SECRET_ARN);
    }

    /** Every stack the app made, by name: Gantry's own, and one per account and region reached through a role. */
    private static Map<String, Integer> resources(Path out) throws IOException {
        Map<String, Integer> counts = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(out)) {
            for (Path template : files.filter(p -> p.getFileName().toString().endsWith(".template.json")).sorted().toList()) {
                String stack = template.getFileName().toString().replace(".template.json", "");
                counts.put(stack, JSON.readTree(template.toFile()).path("Resources").size());
            }
        }
        return counts;
    }

    /** Only a directory holding a cloud assembly is removed: packages staged for an earlier run would pile up. */
    private static void deleteCloudAssembly(Path out) throws IOException {
        if (!Files.isRegularFile(out.resolve("manifest.json"))) {
            return;
        }
        try (Stream<Path> all = Files.walk(out)) {
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    private static String lastLines(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        return String.join(" | ", last) + " (all of it: " + log + ")";
    }

    private static boolean onPath(String path, String command) {
        if (path == null) {
            return false;
        }
        for (String directory : path.split(File.pathSeparator)) {
            if (!directory.isBlank() && Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }

    private static long elapsed(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
