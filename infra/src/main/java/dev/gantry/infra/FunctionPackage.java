package dev.gantry.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import software.amazon.awscdk.Stage;
import software.constructs.Construct;

/**
 * Lays out a Lambda deployment package for a Java function:
 *
 * <pre>
 * lib/&lt;jar name&gt;   the shaded function jar
 * gantry.yml         the configuration, at /var/task/gantry.yml once deployed; only for a function that reads it
 * </pre>
 *
 * <p>The Java runtime puts {@code /var/task} and {@code /var/task/lib/*.jar} on the classpath, so this layout needs no
 * launcher. The directory is named by the SHA-256 of its content and its files carry a fixed timestamp and mode:
 * the same jar and configuration always give the same directory, hence the same CDK asset hash and the same
 * template, whoever synthesizes and wherever.
 */
final class FunctionPackage {

    static final String CONFIG_FILE_NAME = "gantry.yml";
    static final String LIB_DIR = "lib";

    /** Where the configuration lands in the function's file system. */
    static final String CONFIG_PATH = "/var/task/" + CONFIG_FILE_NAME;

    // Under the app's asset directory, so `cdk synth` finds every package next to the assembly it belongs to.
    private static final String STAGING_DIR = "gantry-packages";

    // The earliest time a zip entry can record, so the stamp survives the zipping at publish time unchanged.
    private static final FileTime FIXED_TIME = FileTime.from(Instant.parse("1980-01-01T00:00:00Z"));

    private FunctionPackage() {}

    /**
     * Where packages for constructs in {@code scope}'s app are staged.
     *
     * @throws IllegalStateException when {@code scope} is not inside a CDK App or Stage
     */
    static Path stagingRoot(Construct scope) {
        Stage stage = Stage.of(scope);
        if (stage == null) {
            throw new IllegalStateException(scope.getClass().getSimpleName() + " must be created inside a CDK App or Stage");
        }
        return Path.of(stage.getAssetOutdir()).toAbsolutePath().resolve(STAGING_DIR);
    }

    /**
     * Stages the package under {@code stagingRoot} and returns its directory, reusing one staged earlier with the
     * same content.
     *
     * @throws IllegalArgumentException when the jar or the configuration file is missing
     */
    static Path stage(Path stagingRoot, Path jar, String jarName, Path configFile) {
        requireFile(jar, "function jar");
        requireFile(configFile, "configuration file");
        return stagePackage(stagingRoot, jar, jarName, configFile);
    }

    /**
     * Stages a package of the jar alone, for a function that reads no configuration: a change to {@code gantry.yml}
     * then leaves its package, and so its published version, as it was.
     *
     * @throws IllegalArgumentException when the jar is missing
     */
    static Path stage(Path stagingRoot, Path jar, String jarName) {
        requireFile(jar, "function jar");
        return stagePackage(stagingRoot, jar, jarName, null);
    }

    private static Path stagePackage(Path stagingRoot, Path jar, String jarName, Path configFileOrNull) {
        try {
            String hash = contentHash(jar, jarName, configFileOrNull);
            Path target = stagingRoot.resolve(hash);
            if (Files.isDirectory(target)) {
                return target;
            }
            Files.createDirectories(stagingRoot);
            // Built aside and moved into place, so a synth that dies halfway never leaves a partial package under
            // the content-addressed name.
            Path scratch = Files.createTempDirectory(stagingRoot, ".staging-");
            try {
                Path lib = Files.createDirectories(scratch.resolve(LIB_DIR));
                place(jar, lib.resolve(jarName));
                if (configFileOrNull != null) {
                    place(configFileOrNull, scratch.resolve(CONFIG_FILE_NAME));
                }
                fixAttributes(lib, "rwxr-xr-x");
                fixAttributes(scratch, "rwxr-xr-x");
                move(scratch, target);
            } finally {
                deleteRecursively(scratch);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage the deployment package for " + jar, e);
        }
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the " + what + " " + file.toAbsolutePath().normalize() + " does not exist");
        }
    }

    /** Hashes names and contents, so renaming a file inside the package changes the hash as well. */
    private static String contentHash(Path jar, String jarName, Path configFileOrNull) throws IOException {
        MessageDigest digest = sha256();
        update(digest, LIB_DIR + "/" + jarName, jar);
        if (configFileOrNull != null) {
            update(digest, CONFIG_FILE_NAME, configFileOrNull);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String name, Path file) throws IOException {
        digest.update(name.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update(Long.toString(Files.size(file)).getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
    }

    private static void place(Path source, Path target) throws IOException {
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        fixAttributes(target, "rw-r--r--");
    }

    // The asset is zipped at publish time with each entry's mode: fix it rather than inherit the umask.
    private static void fixAttributes(Path path, String mode) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        if (posix != null) {
            posix.setPermissions(PosixFilePermissions.fromString(mode));
        }
        Files.setLastModifiedTime(path, FIXED_TIME);
    }

    private static void move(Path scratch, Path target) throws IOException {
        try {
            try {
                Files.move(scratch, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(scratch, target);
            }
        } catch (IOException e) {
            // Another synth staged the same content first; its copy is as good as ours.
            if (!Files.isDirectory(target)) {
                throw e;
            }
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
