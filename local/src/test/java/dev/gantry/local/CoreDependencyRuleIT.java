package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.Fixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build itself refuses an AWS SDK dependency in core: a copy of core's POM with one added fails
 * Maven's validate phase with the rule's message, while the unmodified copy passes.
 */
class CoreDependencyRuleIT {

    @Test
    void rejectsAnAwsSdkDependencyInCore(@TempDir Path dir) throws Exception {
        String pom = corePom(dir).replace("<dependencies>", """
                <dependencies>
                    <dependency>
                      <groupId>software.amazon.awssdk</groupId>
                      <artifactId>ecs</artifactId>
                    </dependency>""");

        Result result = validate(dir, pom);

        assertThat(result.exitCode()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("gantry-core must not depend on the AWS SDK").contains("software.amazon.awssdk:ecs");
    }

    @Test
    void acceptsCoreAsItIs(@TempDir Path dir) throws Exception {
        Result result = validate(dir, corePom(dir));

        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /**
     * Core's POM for a copy in {@code dir}, its parent named relative to there: Maven takes relativePath relative to the
     * POM's directory, so an absolute path finds nothing, and the parent is in no repository unless someone installed it.
     */
    private static String corePom(Path dir) throws Exception {
        Path root = Fixtures.root();
        return Files.readString(root.resolve("functions/core/pom.xml"))
                .replace("<relativePath>../../pom.xml</relativePath>",
                        "<relativePath>" + dir.toAbsolutePath().relativize(root.resolve("pom.xml")) + "</relativePath>");
    }

    record Result(int exitCode, String output) {}

    private static Result validate(Path dir, String pom) throws Exception {
        Files.writeString(dir.resolve("pom.xml"), pom);
        Path root = Fixtures.root();
        // The wrapper pins Maven; -o: everything needed is already in the local repository after the build.
        Process process = new ProcessBuilder(root.resolve("mvnw").toString(), "-o", "-q", "-f", dir.resolve("pom.xml").toString(), "validate")
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("maven did not finish: " + output);
        }
        return new Result(process.exitValue(), output);
    }
}
