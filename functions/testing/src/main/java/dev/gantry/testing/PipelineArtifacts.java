package dev.gantry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Pipeline artifacts as CodePipeline stores them, a ZIP archive, built at test time from the image files
 * in {@code events/} so that no binary fixture is committed.
 */
public final class PipelineArtifacts {

    /** {@code events/gantry-imagedefinitions-payments-api.json}: the app container on payments-api:1.4.0, by tag. */
    public static final String IMAGE_DEFINITIONS_BY_TAG = "gantry-imagedefinitions-payments-api.json";

    /** {@code events/gantry-imagedefinitions-payments-api-pinned.json}: the app container on payments-api, by digest. */
    public static final String IMAGE_DEFINITIONS_PINNED = "gantry-imagedefinitions-payments-api-pinned.json";

    /** {@code events/gantry-imagedetail-payments-api.json}: payments-api by digest, as the ECR source action writes it. */
    public static final String IMAGE_DETAIL = "gantry-imagedetail-payments-api.json";

    private PipelineArtifacts() {}

    /** A ZIP holding {@code events/<eventFile>} as {@code imagedefinitions.json}. */
    public static byte[] imageDefinitions(String eventFile) {
        return zip(Map.of("imagedefinitions.json", Fixtures.eventText(eventFile)));
    }

    /** A ZIP holding {@code events/<eventFile>} as {@code imageDetail.json}. */
    public static byte[] imageDetail(String eventFile) {
        return zip(Map.of("imageDetail.json", Fixtures.eventText(eventFile)));
    }

    /** A ZIP of text entries, in the order given. */
    public static byte[] zip(Map<String, String> entries) {
        Map<String, byte[]> binary = new LinkedHashMap<>();
        entries.forEach((name, text) -> binary.put(name, text.getBytes(StandardCharsets.UTF_8)));
        return zipBytes(binary);
    }

    /** A ZIP of entries, in the order given. */
    public static byte[] zipBytes(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
