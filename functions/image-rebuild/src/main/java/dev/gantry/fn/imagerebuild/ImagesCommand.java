package dev.gantry.fn.imagerebuild;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.LineageReport;
import dev.gantry.core.rebuild.RevocationReport;
import dev.gantry.fn.imagerebuild.ImageRebuildWiring.ImageOperations;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ExitCode;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The golden-image lineage command line that {@code scripts/lineage} and {@code scripts/revoke} run: {@code lineage}
 * prints the lineage report, {@code revoke} revokes a base digest. Both are built from the environment the
 * image-rebuild function reads ({@link ImageRebuildWiring}), plus ECS to see what runs.
 *
 * <p>Exit codes: 0 done; 1 failed, with the reason on stderr; 2 bad arguments, naming what is wrong, then the usage.
 */
@Command(name = "images", description = "Golden-image lineage: the lineage report, and revoking a base digest.")
public final class ImagesCommand {

    /** Digests and instants as the strings people paste and {@code jq} compares, not as nested objects. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .addModule(new SimpleModule("gantry-images")
                    .addSerializer(ImageDigest.class, ToStringSerializer.instance)
                    .addSerializer(Instant.class, ToStringSerializer.instance))
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    private ImagesCommand() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        int exitCode = run(() -> ImageRebuildWiring.imageOperationsFromEnvironment(System.getenv()), out, err, args);
        out.flush();
        err.flush();
        System.exit(exitCode);
    }

    /**
     * Runs one subcommand.
     *
     * @param operations asked for only once the arguments are valid, so a usage error never needs AWS or the environment
     * @return the exit code
     */
    static int run(Supplier<ImageOperations> operations, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new ImagesCommand())
                .addSubcommand(new Lineage(operations, out))
                .addSubcommand(new Revoke(operations, out))
                .registerConverter(ImageDigest.class, ImagesCommand::digest)
                // Plain text whatever the terminal: the output is as often piped into a file or a ticket as read.
                .setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF))
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler((e, failed, parsed) -> {
                    failed.getErr().println(failed.getCommandName() + ": " + reason(e));
                    return ExitCode.SOFTWARE;
                });
        return commandLine.execute(args);
    }

    private static ImageDigest digest(String text) {
        try {
            return ImageDigest.parse(text);
        } catch (ImageDigest.InvalidDigestException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static String reason(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static void print(PrintWriter out, boolean json, Object report, List<String> lines) throws JsonProcessingException {
        if (json) {
            out.println(JSON.writeValueAsString(report));
        } else {
            lines.forEach(out::println);
        }
        out.flush();
    }

    // The synopsis names the script people run, not this class's command names.
    @Command(name = "lineage", customSynopsis = "scripts/lineage [--json]", description = {
            "For each base image, the digest its tag points at; for each image built FROM it, the base digest its newest "
                    + "known build is on, how many base versions behind the newest that is, and the services running it.",
            "Only reads."})
    static final class Lineage implements Callable<Integer> {

        private final Supplier<ImageOperations> operations;
        private final PrintWriter out;

        @Option(names = "--json", description = "print the report as JSON")
        private boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
        private boolean help;

        Lineage(Supplier<ImageOperations> operations, PrintWriter out) {
            this.operations = operations;
            this.out = out;
        }

        @Override
        public Integer call() throws JsonProcessingException {
            LineageReport report = operations.get().lineage().report();
            print(out, json, report, report.lines());
            return ExitCode.OK;
        }
    }

    @Command(name = "revoke", customSynopsis = {
            "scripts/revoke --repository=REPOSITORY --digest=sha256:HEX",
            "                      --by=WHO --reason=WHY [--json]"}, description = {
            "Revokes a base image digest: deploys of every image known to be built on it are vetoed, the services running "
                    + "one are listed, and the base's dependents are rebuilt on the digest its tag points at now.",
            "Revoking the same digest again adds nothing."})
    static final class Revoke implements Callable<Integer> {

        private final Supplier<ImageOperations> operations;
        private final PrintWriter out;

        @Spec
        private CommandSpec spec;

        @Option(names = "--repository", required = true, paramLabel = "REPOSITORY",
                description = "the base image's repository, e.g. golden/java21")
        private String repository;

        @Option(names = "--digest", required = true, paramLabel = "sha256:HEX", description = "the digest to revoke")
        private ImageDigest digest;

        @Option(names = "--by", required = true, paramLabel = "WHO", description = "who revokes it, kept with the revocation")
        private String revokedBy;

        @Option(names = "--reason", required = true, paramLabel = "WHY", description = "why, e.g. a CVE; kept with the revocation")
        private String reason;

        @Option(names = "--json", description = "print the report as JSON")
        private boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help")
        private boolean help;

        Revoke(Supplier<ImageOperations> operations, PrintWriter out) {
            this.operations = operations;
            this.out = out;
        }

        @Override
        public Integer call() throws JsonProcessingException {
            requireText(repository, "--repository");
            requireText(revokedBy, "--by");
            requireText(reason, "--reason");
            RevocationReport report = operations.get().revocations().revoke(repository.trim(), digest.value(), revokedBy.trim(),
                    reason.trim());
            print(out, json, report, report.lines());
            return ExitCode.OK;
        }

        // Checked here rather than left to the service, so a blank value is a usage error (2), not a failure (1).
        private void requireText(String value, String option) {
            if (value.isBlank()) {
                throw new ParameterException(spec.commandLine(), "Blank value for option '" + option + "': it is kept with "
                        + "the revocation, so it must say something");
            }
        }
    }
}
