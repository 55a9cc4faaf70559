package dev.gantry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The figures {@code scripts/bench all} gathers into its closing table: each runner adds its headline figures, one
 * tab-separated line each (figure, value, target, verdict), to the file {@value #ENV} names; without it, nothing.
 */
final class BenchSummary {

    static final String ENV = "GANTRY_BENCH_SUMMARY";

    private BenchSummary() {}

    static void add(String figure, String value, String target, String verdict) {
        String file = System.getenv(ENV);
        if (file == null || file.isBlank()) {
            return;
        }
        try {
            Files.writeString(Path.of(file), String.join("\t", figure, value, target, verdict) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The machine's load average over 1, 5 and 15 minutes, where the system tells it: figures taken under load are noisier. */
    static String loadAverage() {
        try {
            String[] load = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split(" ");
            return load[0] + " " + load[1] + " " + load[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
