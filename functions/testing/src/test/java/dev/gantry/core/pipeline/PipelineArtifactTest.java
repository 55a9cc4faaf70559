package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.pipeline.PipelineArtifact.ImageDefinition;
import dev.gantry.testing.PipelineArtifacts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

class PipelineArtifactTest {

    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "artifacts", "payments-api/BuildArtif/Gx7mPq2");

    @Test
    void readsImageDefinitionsAsCodeBuildWritesThem() {
        PipelineArtifact artifact = PipelineArtifact.unzip(BUILD_OUTPUT, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));

        assertThat(artifact.imageDefinitions()).contains(List.of(
                new ImageDefinition("app", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.0"),
                new ImageDefinition("log-router", "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4")));
        assertThat(artifact.imageDetail()).isEmpty();
    }

    @Test
    void readsImageDetailAsTheEcrSourceActionWritesIt() {
        PipelineArtifact artifact = PipelineArtifact.unzip(BUILD_OUTPUT, PipelineArtifacts.imageDetail(PipelineArtifacts.IMAGE_DETAIL));

        assertThat(artifact.imageDetail()).hasValueSatisfying(detail -> {
            assertThat(detail.imageUri()).isEqualTo("111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api@sha256:"
                    + "07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
            assertThat(detail.imageTags()).containsExactly("1.4.0");
        });
    }

    @Test
    void ignoresImageFilesOutsideTheRootAndListsTheEntries() {
        Map<String, String> entries = new LinkedHashMap<>();
        entries.put("build/imagedefinitions.json", "[]");
        entries.put("appspec.yaml", "version: 0.0");

        PipelineArtifact artifact = PipelineArtifact.unzip(BUILD_OUTPUT, PipelineArtifacts.zip(entries));

        assertThat(artifact.hasImageFile()).isFalse();
        assertThat(artifact.describeEntries()).isEqualTo("build/imagedefinitions.json, appspec.yaml");
    }

    @Test
    void refusesAnArtifactLargerThanFiveMegabytes() {
        byte[] tooLarge = new byte[PipelineArtifact.MAX_ARTIFACT_BYTES + 1];

        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, tooLarge))
                .isInstanceOf(PipelineJobException.class)
                .hasMessage("input artifact BuildArtifact is 5242881 bytes, more than the 5242880 bytes Gantry reads");
    }

    @Test
    void refusesAnImageFileLargerThanOneMegabyte() {
        byte[] zip = zipOfZeros("imagedefinitions.json", PipelineArtifact.MAX_FILE_BYTES + 1);

        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, zip))
                .isInstanceOf(PipelineJobException.class)
                .hasMessageContaining("holds a imagedefinitions.json larger than 1048576 bytes");
    }

    @Test
    void acceptsAnImageFileOfExactlyOneMegabyteAsFarAsSizeGoes() {
        byte[] zip = zipOfZeros("imagedefinitions.json", PipelineArtifact.MAX_FILE_BYTES);

        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, zip))
                .isInstanceOf(PipelineJobException.class)
                .hasMessageContaining("is not JSON");
    }

    @Test
    void stopsInflatingAnArchiveThatWouldExhaustTheFunction() {
        byte[] bomb = zipOfZeros("padding.bin", (int) PipelineArtifact.MAX_INFLATED_BYTES + 1);

        assertThat(bomb.length).isLessThan(PipelineArtifact.MAX_ARTIFACT_BYTES);
        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, bomb))
                .isInstanceOf(PipelineJobException.class)
                .hasMessage("input artifact BuildArtifact inflates to more than 67108864 bytes");
    }

    @Test
    void refusesAnArchiveThatHoldsTheSameImageFileTwice() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            // ZipOutputStream refuses duplicate names, so the second copy gets a "./" prefix, which names the same file.
            zip.putNextEntry(new ZipEntry("imageDetail.json"));
            zip.write("{\"ImageURI\":\"a\"}".getBytes());
            zip.putNextEntry(new ZipEntry("./imageDetail.json"));
            zip.write("{\"ImageURI\":\"b\"}".getBytes());
        } catch (IOException e) {
            throw new AssertionError(e);
        }

        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, out.toByteArray()))
                .isInstanceOf(PipelineJobException.class)
                .hasMessage("input artifact BuildArtifact holds imageDetail.json twice");
    }

    @Test
    void callsAnEmptyArtifactEmpty() {
        assertThatThrownBy(() -> PipelineArtifact.unzip(BUILD_OUTPUT, new byte[0]))
                .isInstanceOf(PipelineJobException.class)
                .hasMessage("input artifact BuildArtifact is empty")
                .satisfies(e -> assertThat(((PipelineJobException) e).type()).isEqualTo(JobFailureType.JOB_FAILED));
    }

    private static byte[] zipOfZeros(String name, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(new ZipEntry(name));
            byte[] chunk = new byte[64 * 1024];
            for (int written = 0; written < size; written += chunk.length) {
                zip.write(chunk, 0, Math.min(chunk.length, size - written));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }
}
