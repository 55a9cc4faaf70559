package dev.gantry.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Runs {@code scripts/invoke} as a user would, in a fresh process, and hands back what it printed. */
public final class InvokeScript {

    private static final int TIMEOUT_SECONDS = 120;
    /** The folder scripts/priming-classes gives the tests for the functions' class-loading logs. */
    public static final String CLASS_LOAD_LOG = "GANTRY_CLASS_LOAD_LOG";

    private InvokeScript() {}

    /** What the script did. */
    public record Result(int exitCode, String stdout, String stderr) {}

    /**
     * @param environment the variables the script documents; the process gets these plus PATH, HOME and JAVA_HOME only,
     *     as on a user's machine, so a variable the test forgot cannot leak in from the build's environment
     * @param arguments the function name and the event file, or whatever else the test wants the script to see
     */
    public static Result run(Map<String, String> environment, String... arguments) throws IOException, InterruptedException {
        Path root = Fixtures.root();
        List<String> command = new ArrayList<>(List.of(root.resolve("scripts/invoke").toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile());
        builder.environment().clear();
        builder.environment().put("PATH", System.getenv("PATH"));
        builder.environment().put("HOME", System.getProperty("user.home"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().putAll(environment);
        // scripts/priming-classes runs the functions' tests with this naming a folder: each run logs there the classes it
        // loads and initializes, one file per process, and the script lists what the events loaded (decision 33).
        String classLoadLog = System.getenv(CLASS_LOAD_LOG);
        if (classLoadLog != null && !classLoadLog.isBlank()) {
            builder.environment().merge("GANTRY_JAVA_OPTS", "-Xlog:class+load=info,class+init=info:file="
                    + Path.of(classLoadLog).toAbsolutePath().resolve("invoke-%p.log") + ":none", (given, log) -> given + " " + log);
        }
        Process process = builder.start();
        process.getOutputStream().close();
        StringBuilder err = new StringBuilder();
        // stderr is drained beside stdout: a script that fills one pipe while the test reads the other would hang.
        Thread drain = Thread.ofVirtual().start(() -> process.errorReader(StandardCharsets.UTF_8).lines().forEach(l -> err.append(l).append('\n')));
        String out = process.inputReader(StandardCharsets.UTF_8).lines().collect(Collectors.joining("\n"));
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("scripts/invoke did not finish in " + TIMEOUT_SECONDS + " s; stderr:\n" + err);
        }
        drain.join();
        return new Result(process.exitValue(), out, err.toString());
    }
}
