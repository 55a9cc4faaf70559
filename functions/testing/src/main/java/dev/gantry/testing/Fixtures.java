package dev.gantry.testing;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's shared test inputs: the sample events in {@code events/} and the example
 * {@code examples/gantry.yml}, found from any module's working directory.
 */
public final class Fixtures {

    private Fixtures() {}

    /** The repository root: the nearest ancestor of the working directory holding {@code events/}. */
    public static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("events")) && Files.isRegularFile(dir.resolve("examples/gantry.yml"))) {
                return dir;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("no events/ and examples/gantry.yml above " + Path.of("").toAbsolutePath());
    }

    public static Path event(String fileName) {
        Path file = root().resolve("events").resolve(fileName);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no sample event " + file);
        }
        return file;
    }

    public static String eventText(String fileName) {
        try {
            return Files.readString(event(fileName), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path exampleConfigFile() {
        return root().resolve("examples/gantry.yml");
    }

    public static GantryConfig exampleConfig() {
        return ConfigLoader.load(exampleConfigFile());
    }
}
