package dev.gantry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * {@code scripts/bench sizes}: every function jar's size against the 10 MB target, with the functions it serves and
 * the packages that weigh most in it (compressed; by their first three name segments, an AWS SDK service module by its
 * own name), to say where to cut. Prints
 * figures; a jar over the target is reported, not an error.
 *
 * <p>Arguments: the function modules' directories ({@code functions/ecs-deploy} ...).
 */
public final class JarSizes {

    /** Decimal megabytes, as Lambda states its package limits. */
    static final long TARGET_BYTES = 10_000_000;
    private static final int HEAVIEST = 6;

    private JarSizes() {}

    public static void main(String[] args) throws IOException {
        System.out.println("function jars (target: each <= 10 MB, 10,000,000 bytes):");
        System.out.printf(Locale.ROOT, "  %-38s %12s %9s  %-7s %s%n", "jar", "bytes", "MB", "verdict", "functions");
        List<String> heaviest = new ArrayList<>();
        for (String module : args) {
            Path dir = Path.of(module);
            String name = dir.getFileName().toString();
            Path jar = dir.resolve("target").resolve("gantry-" + name + "-lambda.jar");
            String functions = functionsOf(dir);
            if (!Files.isRegularFile(jar)) {
                System.out.printf(Locale.ROOT, "  %-38s %12s %9s  %-7s %s%n", jar.getFileName(), "-", "-", "MISSING", functions);
                BenchSummary.add("jar " + jar.getFileName(), "missing", "<= 10 MB", "MISSING");
                continue;
            }
            long size = Files.size(jar);
            String verdict = size <= TARGET_BYTES ? "PASS" : "FAIL";
            System.out.printf(Locale.ROOT, "  %-38s %,12d %9.1f  %-7s %s%n", jar.getFileName(), size, size / 1e6, verdict, functions);
            BenchSummary.add("jar " + jar.getFileName(), String.format(Locale.ROOT, "%.1f MB", size / 1e6), "<= 10 MB", verdict);
            heaviest.add(String.format(Locale.ROOT, "  %-38s %s", jar.getFileName(), heaviestParts(jar)));
        }
        System.out.println("heaviest parts (compressed MB):");
        heaviest.forEach(System.out::println);
    }

    private static String functionsOf(Path module) throws IOException {
        Path catalog = module.resolve("src/main/resources/META-INF/gantry/functions.properties");
        if (!Files.isRegularFile(catalog)) {
            return "?";
        }
        Properties functions = new Properties();
        try (InputStream in = Files.newInputStream(catalog)) {
            functions.load(in);
        }
        return String.join(", ", new TreeSet<>(functions.stringPropertyNames()));
    }

    private static String heaviestParts(Path jar) throws IOException {
        Map<String, Long> bytes = new TreeMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : Collections.list(zip.entries())) {
                String[] parts = entry.getName().split("/");
                int depth = entry.getName().startsWith("software/amazon/awssdk/services/") ? 5 : 3;
                String part = parts.length <= 1 ? "(top level)" : String.join(".", Arrays.copyOf(parts, Math.min(depth, parts.length - 1)));
                bytes.merge(part, Math.max(0, entry.getCompressedSize()), Long::sum);
            }
        }
        return bytes.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(HEAVIEST)
                .map(e -> String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue() / 1e6))
                .collect(Collectors.joining(", "));
    }
}
