package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FunctionPackageTest {

    @TempDir
    Path dir;

    @Test
    void laysOutTheJarUnderLibAndTheConfigurationAtTheRoot() throws IOException {
        Path jar = TestConfigs.fakeJar(dir, "one");
        Path config = TestConfigs.write(dir, "my-config.yml", "version: 1\n");

        Path staged = FunctionPackage.stage(dir.resolve("staging"), jar, "fn.jar", config);

        assertThat(staged.resolve("lib/fn.jar")).hasSameBinaryContentAs(jar);
        assertThat(staged.resolve("gantry.yml")).hasSameBinaryContentAs(config);
        try (Stream<Path> files = Files.walk(staged)) {
            assertThat(files.map(p -> staged.relativize(p).toString()))
                    .containsExactlyInAnyOrder("", "lib", "lib/fn.jar", "gantry.yml");
        }
    }

    @Test
    void aFunctionThatReadsNoConfigurationGetsItsJarAlone() throws IOException {
        Path jar = TestConfigs.fakeJar(dir, "one");
        Path root = dir.resolve("staging");

        Path staged = FunctionPackage.stage(root, jar, "fn.jar");

        assertThat(staged.resolve("lib/fn.jar")).hasSameBinaryContentAs(jar);
        try (Stream<Path> files = Files.walk(staged)) {
            assertThat(files.map(p -> staged.relativize(p).toString())).containsExactlyInAnyOrder("", "lib", "lib/fn.jar");
        }
        assertThat(Files.getLastModifiedTime(staged.resolve("lib/fn.jar"))).isEqualTo(FileTime.from(Instant.parse("1980-01-01T00:00:00Z")));
        assertThat(FunctionPackage.stage(root, jar, "fn.jar")).isEqualTo(staged);
        assertThat(FunctionPackage.stage(root, jar, "fn.jar", TestConfigs.write(dir, "a.yml", "version: 1\n"))).isNotEqualTo(staged);
    }

    @Test
    void sameContentStagesToTheSameDirectoryWhereverItComesFrom() throws IOException {
        Path first = FunctionPackage.stage(dir.resolve("a"), TestConfigs.fakeJar(Files.createDirectories(dir.resolve("x")), "same"),
                "fn.jar", TestConfigs.write(dir, "one.yml", "version: 1\n"));
        Path second = FunctionPackage.stage(dir.resolve("b"), TestConfigs.fakeJar(Files.createDirectories(dir.resolve("y")), "same"),
                "fn.jar", TestConfigs.write(dir, "two.yml", "version: 1\n"));

        assertThat(first.getFileName()).isEqualTo(second.getFileName());
    }

    @Test
    void anyChangedInputStagesToAnotherDirectory() {
        Path jar = TestConfigs.fakeJar(dir, "one");
        Path config = TestConfigs.write(dir, "a.yml", "version: 1\n");
        Path root = dir.resolve("staging");
        Path staged = FunctionPackage.stage(root, jar, "fn.jar", config);

        assertThat(FunctionPackage.stage(root, jar, "fn.jar", TestConfigs.write(dir, "b.yml", "version: 1 \n")))
                .isNotEqualTo(staged);
        assertThat(FunctionPackage.stage(root, jar, "other.jar", config)).isNotEqualTo(staged);
        assertThat(FunctionPackage.stage(root, jar, "fn.jar", config)).isEqualTo(staged);
    }

    @Test
    void filesCarryAFixedTimestampAndMode() throws IOException {
        Path staged = FunctionPackage.stage(dir.resolve("staging"), TestConfigs.fakeJar(dir, "one"), "fn.jar",
                TestConfigs.write(dir, "a.yml", "version: 1\n"));

        for (Path file : new Path[] {staged.resolve("lib/fn.jar"), staged.resolve("gantry.yml")}) {
            assertThat(Files.getLastModifiedTime(file)).isEqualTo(FileTime.from(Instant.parse("1980-01-01T00:00:00Z")));
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        }
    }

    @Test
    void refusesAMissingJar() {
        Path missing = dir.resolve("missing.jar");

        assertThatThrownBy(() -> FunctionPackage.stage(dir.resolve("staging"), missing, "fn.jar",
                        TestConfigs.write(dir, "a.yml", "version: 1\n")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function jar")
                .hasMessageContaining(missing.toString());
        assertThatThrownBy(() -> FunctionPackage.stage(dir.resolve("staging"), missing, "fn.jar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("function jar")
                .hasMessageContaining(missing.toString());
    }
}
