package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/synth} as a user runs it: the pinned CDK CLI running the app through Maven, over the example
 * configuration and the function jars the reactor built.
 */
class ScriptsSynthIT {

    private static final Path REPOSITORY = Path.of("").toAbsolutePath().getParent();

    @TempDir
    Path dir;

    @Test
    void writesTheCloudAssemblyForTheExampleAndSaysWhatIsInIt() throws IOException, InterruptedException {
        Path out = dir.resolve("cdk.out");
        Path log = dir.resolve("synth.log");
        Process synth = new ProcessBuilder(REPOSITORY.resolve("scripts/synth").toString(), "--output", out.toString())
                .directory(REPOSITORY.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean finished = synth.waitFor(5, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);

        assertThat(finished).as("scripts/synth finished within 5 minutes").isTrue();
        assertThat(synth.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("synth: cloud assembly in " + out + " \\(synthesized in \\d+ ms\\)")
                .containsPattern("synth: stack Gantry \\(" + out.resolve("Gantry.template.json") + "\\) has \\d+ resources");
        JsonNode template = new ObjectMapper().readTree(out.resolve("Gantry.template.json").toFile());
        assertThat(template.path("Resources").size()).isGreaterThan(50);
        // The shipped packages are the jars the reactor built, staged as assets beside the template.
        assertThat(Files.list(out).filter(p -> p.getFileName().toString().startsWith("asset."))).isNotEmpty();
    }
}
