package dev.gantry.core.pipeline;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The image files in a pipeline artifact: {@code imagedefinitions.json} as CodeBuild writes it for ECS
 * ({@code [{"name":"app","imageUri":"..."}]}) and {@code imageDetail.json} as the ECR source action writes
 * it ({@code {"ImageURI":"repo@sha256:...","ImageTags":[...]}}), read from the artifact's ZIP in memory.
 *
 * <p>Errors: {@link PipelineJobException} ({@link JobFailureType#JOB_FAILED}) for an archive that is not a
 * ZIP, too large, or holds a file that is not what its name promises.
 */
public final class PipelineArtifact {

    public static final String IMAGE_DEFINITIONS = "imagedefinitions.json";
    public static final String IMAGE_DETAIL = "imageDetail.json";

    /**
     * The largest artifact read. The two files Gantry needs are a few hundred bytes; an artifact this large
     * is a build's whole output wired to the wrong action, and the function holds it in memory.
     */
    public static final int MAX_ARTIFACT_BYTES = 5 * 1024 * 1024;

    /** The largest image file read: far above any real one, small enough to parse without a second thought. */
    public static final int MAX_FILE_BYTES = 1024 * 1024;

    /**
     * How much the archive may inflate to while it is read through, including entries that are skipped:
     * ZIP compresses up to about 1000:1, and a small archive of zeros must fail fast rather than burn the
     * function's time inflating gigabytes.
     */
    static final long MAX_INFLATED_BYTES = 64L * 1024 * 1024;

    private static final int LISTED_ENTRIES = 20;
    private static final ObjectMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** One entry of {@code imagedefinitions.json}: a container and the image it should run. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ImageDefinition(String name, String imageUri) {}

    /** {@code imageDetail.json}: one image, pinned to its digest, and the tags it was pushed with. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ImageDetail(@JsonProperty("ImageURI") String imageUri, @JsonProperty("ImageTags") List<String> imageTags) {
        public ImageDetail {
            imageTags = imageTags == null ? List.of() : List.copyOf(imageTags);
        }
    }

    private final ArtifactLocation location;
    private final List<String> entryNames;
    private final int entryCount;
    private final List<ImageDefinition> imageDefinitions;
    private final ImageDetail imageDetail;

    private PipelineArtifact(ArtifactLocation location, List<String> entryNames, int entryCount,
            List<ImageDefinition> imageDefinitions, ImageDetail imageDetail) {
        this.location = location;
        this.entryNames = List.copyOf(entryNames);
        this.entryCount = entryCount;
        this.imageDefinitions = imageDefinitions == null ? null : List.copyOf(imageDefinitions);
        this.imageDetail = imageDetail;
    }

    /** Reads the image files from the root of the artifact's ZIP archive; other entries are skipped. */
    public static PipelineArtifact unzip(ArtifactLocation location, byte[] zip) {
        if (zip.length > MAX_ARTIFACT_BYTES) {
            throw failed(location, "is " + zip.length + " bytes, more than the " + MAX_ARTIFACT_BYTES + " bytes Gantry reads");
        }
        Map<String, byte[]> files = new HashMap<>();
        List<String> names = new ArrayList<>();
        int entries = 0;
        long inflated = 0;
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                String name = entry.getName().startsWith("./") ? entry.getName().substring(2) : entry.getName();
                if (names.size() < LISTED_ENTRIES) {
                    names.add(name);
                }
                entries++;
                boolean wanted = name.equals(IMAGE_DEFINITIONS) || name.equals(IMAGE_DETAIL);
                if (wanted && files.containsKey(name)) {
                    throw failed(location, "holds " + name + " twice");
                }
                if (wanted) {
                    byte[] content = read(in, location, name);
                    inflated += content.length;
                    files.put(name, content);
                } else {
                    inflated += skip(in, location, MAX_INFLATED_BYTES - inflated);
                }
            }
        } catch (IOException e) {
            throw failed(location, "is not a readable ZIP archive (" + e.getMessage() + ")");
        }
        if (entries == 0) {
            throw failed(location, zip.length == 0 ? "is empty" : "is not a ZIP archive, or an empty one");
        }
        return new PipelineArtifact(location, names, entries,
                files.containsKey(IMAGE_DEFINITIONS) ? imageDefinitions(location, files.get(IMAGE_DEFINITIONS)) : null,
                files.containsKey(IMAGE_DETAIL) ? imageDetail(location, files.get(IMAGE_DETAIL)) : null);
    }

    public ArtifactLocation location() {
        return location;
    }

    /** The entries of {@code imagedefinitions.json}, when the artifact has one. */
    public Optional<List<ImageDefinition>> imageDefinitions() {
        return Optional.ofNullable(imageDefinitions);
    }

    /** {@code imageDetail.json}, when the artifact has one. */
    public Optional<ImageDetail> imageDetail() {
        return Optional.ofNullable(imageDetail);
    }

    public boolean hasImageFile() {
        return imageDefinitions != null || imageDetail != null;
    }

    /** The archive's entry names for a message: the first few, and how many more there are. */
    public String describeEntries() {
        String listed = String.join(", ", entryNames);
        return entryCount > entryNames.size() ? listed + " and " + (entryCount - entryNames.size()) + " more" : listed;
    }

    private static byte[] read(InputStream in, ArtifactLocation location, String name) throws IOException {
        // One byte more than allowed tells "exactly at the limit" from "over it" without trusting the
        // entry's declared size, which a streamed ZIP need not carry.
        byte[] content = in.readNBytes(MAX_FILE_BYTES + 1);
        if (content.length > MAX_FILE_BYTES) {
            throw failed(location, "holds a " + name + " larger than " + MAX_FILE_BYTES + " bytes; Gantry reads image files up to that size");
        }
        return content;
    }

    /** Reads an entry Gantry does not need through to its end, counting what it inflates to. */
    private static long skip(InputStream in, ArtifactLocation location, long allowance) throws IOException {
        byte[] buffer = new byte[8192];
        long total = 0;
        for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
            total += n;
            if (total > allowance) {
                throw failed(location, "inflates to more than " + MAX_INFLATED_BYTES + " bytes");
            }
        }
        return total;
    }

    private static List<ImageDefinition> imageDefinitions(ArtifactLocation location, byte[] json) {
        List<ImageDefinition> entries;
        try {
            entries = JSON.readValue(json, JSON.getTypeFactory().constructCollectionType(List.class, ImageDefinition.class));
        } catch (JsonMappingException e) {
            throw failed(location, "holds an " + IMAGE_DEFINITIONS + " that is not a list of {\"name\",\"imageUri\"} objects ("
                    + firstLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw failed(location, "holds an " + IMAGE_DEFINITIONS + " that is not JSON (" + firstLine(e.getMessage()) + ")");
        }
        if (entries == null || entries.isEmpty()) {
            throw failed(location, "holds an empty " + IMAGE_DEFINITIONS);
        }
        for (int i = 0; i < entries.size(); i++) {
            ImageDefinition entry = entries.get(i);
            if (entry == null || entry.imageUri() == null || entry.imageUri().isBlank()) {
                throw failed(location, "holds an " + IMAGE_DEFINITIONS + " whose entry " + i + " has no imageUri");
            }
        }
        return entries;
    }

    private static ImageDetail imageDetail(ArtifactLocation location, byte[] json) {
        ImageDetail detail;
        try {
            detail = JSON.readValue(json, ImageDetail.class);
        } catch (JsonProcessingException e) {
            throw failed(location, "holds an " + IMAGE_DETAIL + " that is not an {\"ImageURI\": ...} object ("
                    + firstLine(e.getOriginalMessage()) + ")");
        } catch (IOException e) {
            throw failed(location, "holds an unreadable " + IMAGE_DETAIL + " (" + e.getMessage() + ")");
        }
        if (detail == null || detail.imageUri() == null || detail.imageUri().isBlank()) {
            throw failed(location, "holds an " + IMAGE_DETAIL + " without ImageURI");
        }
        return detail;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static PipelineJobException failed(ArtifactLocation location, String problem) {
        return new PipelineJobException(JobFailureType.JOB_FAILED, "input artifact " + location.name() + " " + problem);
    }
}
