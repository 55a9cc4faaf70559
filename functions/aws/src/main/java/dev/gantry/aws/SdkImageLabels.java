package dev.gantry.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.rebuild.ImageLabels;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.BatchGetImageResponse;
import software.amazon.awssdk.services.ecr.model.Image;
import software.amazon.awssdk.services.ecr.model.ImageFailure;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.LayerInaccessibleException;
import software.amazon.awssdk.services.ecr.model.LayersNotFoundException;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * {@link ImageLabels} over Amazon ECR: the manifest through {@code BatchGetImage}, then the configuration blob through
 * the URL {@code GetDownloadUrlForLayer} hands out, read with a plain HTTP GET.
 */
public final class SdkImageLabels implements ImageLabels {

    static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    static final List<String> ACCEPTED_MEDIA_TYPES = List.of(DOCKER_MANIFEST, OCI_MANIFEST, OCI_INDEX, DOCKER_MANIFEST_LIST);

    /** Configurations of images; other configurations (signatures, attestations, Helm charts) carry no image labels. */
    static final Set<String> IMAGE_CONFIG_MEDIA_TYPES = Set.of(
            "application/vnd.docker.container.image.v1+json", "application/vnd.oci.image.config.v1+json");

    /** An image configuration is a few kilobytes; a megabyte is not one, and is not read into memory. */
    static final int MAX_CONFIG_BYTES = 1024 * 1024;
    static final Duration HTTP_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Function<String, EcrClient> clientForRegion;
    private final HttpClient http;

    /** @param clientForRegion the client for a region; called for every lookup, so it should cache */
    public SdkImageLabels(Function<String, EcrClient> clientForRegion) {
        this(clientForRegion, HttpClient.newBuilder()
                .connectTimeout(HTTP_TIMEOUT)
                // NORMAL never follows an HTTPS URL to plain HTTP.
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build());
    }

    SdkImageLabels(Function<String, EcrClient> clientForRegion, HttpClient http) {
        this.clientForRegion = clientForRegion;
        this.http = http;
    }

    @Override
    public Map<String, String> labels(String registryId, String region, String repository, String digest) {
        Read read = new Read(clientForRegion.apply(region), registryId, repository, digest);
        JsonNode manifest = read.manifest(digest);
        if (isIndex(read.lastMediaType, manifest)) {
            String platformDigest = platformManifestDigest(read, manifest);
            if (platformDigest == null) {
                return Map.of();
            }
            manifest = read.manifest(platformDigest);
            if (isIndex(read.lastMediaType, manifest)) {
                throw read.failed("its platform manifest " + platformDigest + " is itself an index", null);
            }
        }
        JsonNode config = manifest.path("config");
        if (!IMAGE_CONFIG_MEDIA_TYPES.contains(config.path("mediaType").asText())) {
            return Map.of();
        }
        String configDigest = config.path("digest").asText();
        if (!configDigest.startsWith("sha256:")) {
            throw read.failed("its manifest names no sha256 config digest", null);
        }
        return labelsOf(read, read.blob(read.downloadUrl(configDigest), configDigest));
    }

    private static boolean isIndex(String mediaType, JsonNode manifest) {
        String type = mediaType != null ? mediaType : manifest.path("mediaType").asText();
        if (OCI_INDEX.equals(type) || DOCKER_MANIFEST_LIST.equals(type)) {
            return true;
        }
        // OCI lets an index omit its mediaType; then only its shape tells.
        return type.isEmpty() && manifest.has("manifests") && !manifest.has("config");
    }

    /**
     * linux/amd64 when the index has it, else its first platform. buildx lists attestations as platform
     * {@code unknown/unknown}: never an image, so never chosen.
     */
    private static String platformManifestDigest(Read read, JsonNode index) {
        if (!index.path("manifests").isArray()) {
            throw read.failed("its index has no manifests list", null);
        }
        List<JsonNode> platforms = StreamSupport.stream(index.path("manifests").spliterator(), false)
                .filter(m -> !"unknown".equals(m.at("/platform/os").asText()))
                .toList();
        return platforms.stream()
                .filter(m -> "linux".equals(m.at("/platform/os").asText()) && "amd64".equals(m.at("/platform/architecture").asText()))
                .findFirst()
                .or(() -> platforms.stream().findFirst())
                .map(m -> m.path("digest").asText(null))
                .orElse(null);
    }

    private static Map<String, String> labelsOf(Read read, byte[] blob) {
        JsonNode labels;
        try {
            labels = JSON.readTree(blob).path("config").path("Labels");
        } catch (JsonProcessingException e) {
            throw read.failed("its image configuration is not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw read.failed("its image configuration could not be read: " + e.getMessage(), e);
        }
        if (labels.isMissingNode() || labels.isNull()) {
            return Map.of();
        }
        if (!labels.isObject()) {
            throw read.failed("its image configuration's config.Labels is not an object", null);
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> label : labels.properties()) {
            if (!label.getValue().isTextual()) {
                throw read.failed("its image configuration's label " + label.getKey() + " is not a string", null);
            }
            result.put(label.getKey(), label.getValue().asText());
        }
        return Map.copyOf(result);
    }

    /** One lookup: the image it is about, and what ECR last said a manifest was. */
    private final class Read {
        private final EcrClient ecr;
        private final String registryId;
        private final String repository;
        private final String digest;
        private String lastMediaType;

        Read(EcrClient ecr, String registryId, String repository, String digest) {
            this.ecr = ecr;
            this.registryId = registryId;
            this.repository = repository;
            this.digest = digest;
        }

        JsonNode manifest(String manifestDigest) {
            BatchGetImageResponse response;
            try {
                response = ecr.batchGetImage(r -> r
                        .registryId(registryId)
                        .repositoryName(repository)
                        .imageIds(ImageIdentifier.builder().imageDigest(manifestDigest).build())
                        .acceptedMediaTypes(ACCEPTED_MEDIA_TYPES));
            } catch (RepositoryNotFoundException e) {
                throw failed("ECR repository " + repository + " does not exist in registry " + registryId, e);
            } catch (SdkException e) {
                throw failed("BatchGetImage of " + manifestDigest + " " + refusal(e), e);
            }
            if (!response.hasImages() || response.images().isEmpty()) {
                String why = response.failures().stream()
                        .findFirst()
                        .map(ImageFailure::failureCodeAsString)
                        .orElse("no image and no failure");
                String reason = response.failures().stream().findFirst().map(ImageFailure::failureReason).orElse("");
                throw failed("BatchGetImage of " + manifestDigest + " answered " + why + (reason.isEmpty() ? "" : ": " + reason), null);
            }
            Image image = response.images().get(0);
            lastMediaType = image.imageManifestMediaType();
            try {
                JsonNode manifest = JSON.readTree(image.imageManifest() == null ? "" : image.imageManifest());
                if (manifest == null || !manifest.isObject()) {
                    throw failed("the manifest of " + manifestDigest + " is not a JSON object", null);
                }
                return manifest;
            } catch (JsonProcessingException e) {
                throw failed("the manifest of " + manifestDigest + " is not JSON: " + e.getOriginalMessage(), e);
            }
        }

        String downloadUrl(String configDigest) {
            try {
                return ecr.getDownloadUrlForLayer(r -> r.registryId(registryId).repositoryName(repository).layerDigest(configDigest))
                        .downloadUrl();
            } catch (LayersNotFoundException | LayerInaccessibleException e) {
                throw failed("its image configuration " + configDigest + " is not available: " + e.awsErrorDetails().errorCode(), e);
            } catch (RepositoryNotFoundException e) {
                throw failed("ECR repository " + repository + " does not exist in registry " + registryId, e);
            } catch (SdkException e) {
                throw failed("GetDownloadUrlForLayer of " + configDigest + " " + refusal(e), e);
            }
        }

        /**
         * The configuration blob, checked against its digest. The URL is presigned: it carries a signature and a session
         * token, so no message here ever includes it.
         */
        byte[] blob(String url, String configDigest) {
            String what = "the image configuration " + configDigest;
            if (url == null || url.isBlank()) {
                throw failed("GetDownloadUrlForLayer of " + configDigest + " returned no URL", null);
            }
            HttpResponse<InputStream> response;
            try {
                response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(HTTP_TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException | IllegalArgumentException e) {
                throw failed("downloading " + what + " failed: " + e.getClass().getSimpleName(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failed("downloading " + what + " was interrupted", e);
            }
            try (InputStream body = response.body()) {
                if (response.statusCode() / 100 != 2) {
                    throw failed("downloading " + what + " answered HTTP " + response.statusCode(), null);
                }
                byte[] bytes = body.readNBytes(MAX_CONFIG_BYTES + 1);
                if (bytes.length > MAX_CONFIG_BYTES) {
                    throw failed(what + " is larger than " + MAX_CONFIG_BYTES + " bytes", null);
                }
                if (!configDigest.equals(sha256(bytes))) {
                    throw failed("the blob downloaded for " + what + " does not match its digest", null);
                }
                return bytes;
            } catch (IOException e) {
                throw failed("reading " + what + " failed: " + e.getClass().getSimpleName(), e);
            }
        }

        ImageLabelsException failed(String what, Throwable cause) {
            return new ImageLabelsException("cannot read the labels of " + repository + "@" + digest + " (registry " + registryId
                    + "): " + what, cause);
        }
    }

    private static String refusal(SdkException e) {
        if (e instanceof AwsServiceException service) {
            String code = service.awsErrorDetails().errorCode();
            return "was refused: " + (code == null ? "no error code" : code) + " (HTTP " + service.statusCode() + ")";
        }
        return "failed: " + e.getMessage();
    }

    private static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
