package dev.gantry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.TreeMap;

/**
 * The figures the reliability suite proves itself with: faults injected and survived, events fuzzed, duplicates sent
 * and side effects seen, requests forged and refused, lost events.
 *
 * <p>Tests add their totals here, once per test rather than once per event, and each addition is appended as a
 * {@code part.figure=n} line to {@code gantry.reliability.dir} (default {@code target/reliability}), so that
 * {@code scripts/reliability} can sum what several test JVMs and modules recorded. The suite runs shortened in
 * {@code mvn verify} and in full when {@code -Dgantry.reliability=full} is given.
 */
public final class ReliabilityFigures {

    public static final String MODE_PROPERTY = "gantry.reliability";
    public static final String DIR_PROPERTY = "gantry.reliability.dir";

    /** The figure every part reports; any non-zero total fails the suite. */
    public static final String LOST_EVENTS = "lost events";

    private static final Map<String, Map<String, Long>> RECORDED = new TreeMap<>();

    private ReliabilityFigures() {
    }

    /** True when the suite was asked to run in full, as {@code scripts/reliability} does. */
    public static boolean full() {
        return "full".equalsIgnoreCase(System.getProperty(MODE_PROPERTY, ""));
    }

    /** {@code shortForm} in {@code mvn verify}, {@code fullForm} in the full run. */
    public static int scaled(int shortForm, int fullForm) {
        return full() ? fullForm : shortForm;
    }

    /**
     * Adds {@code amount} to {@code figure} of {@code part}, e.g. {@code add("fuzzing", "events fuzzed", 10_000)}.
     * Names are free text without {@code =} or line breaks; they are what the report prints.
     */
    public static synchronized void add(String part, String figure, long amount) {
        if (part.contains("=") || figure.contains("=") || part.contains("\n") || figure.contains("\n") || part.contains(".")) {
            throw new IllegalArgumentException("a figure's part and name take no '=', '.' or line break: " + part + "/" + figure);
        }
        RECORDED.computeIfAbsent(part, p -> new TreeMap<>()).merge(figure, amount, Long::sum);
        Path dir = Path.of(System.getProperty(DIR_PROPERTY, "target/reliability"));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("figures.properties"), part + "." + figure + "=" + amount + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the reliability figures in " + dir, e);
        }
    }

    /** What this JVM recorded, part by part. */
    public static synchronized Map<String, Map<String, Long>> recorded() {
        Map<String, Map<String, Long>> copy = new TreeMap<>();
        RECORDED.forEach((part, figures) -> copy.put(part, new TreeMap<>(figures)));
        return copy;
    }

    /** This JVM's figures as the report prints them. */
    public static synchronized String summary() {
        StringBuilder text = new StringBuilder();
        long lost = 0;
        for (Map.Entry<String, Map<String, Long>> part : recorded().entrySet()) {
            text.append(String.format("  %-24s", part.getKey()));
            String separator = "";
            for (Map.Entry<String, Long> figure : part.getValue().entrySet()) {
                text.append(separator).append(figure.getKey()).append(' ').append(String.format("%,d", figure.getValue()));
                separator = ", ";
                if (figure.getKey().equals(LOST_EVENTS)) {
                    lost += figure.getValue();
                }
            }
            text.append('\n');
        }
        text.append(String.format("  %-24s%,d%n", LOST_EVENTS, lost));
        return text.toString();
    }
}
