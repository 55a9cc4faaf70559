package dev.gantry.core.rebuild;

import java.util.Map;
import java.util.Optional;

/**
 * The labels of an image's configuration, as ECR stores them: how Gantry discovers which base digest a child image
 * was built on ({@code org.opencontainers.image.base.name} and {@code org.opencontainers.image.base.digest}).
 *
 * <p>Errors: {@link ImageLabelsException} when the image or its configuration cannot be read.
 */
public interface ImageLabels {

    /** The OCI label naming the base image's reference. */
    String BASE_NAME = "org.opencontainers.image.base.name";

    /** The OCI label naming the base image's digest. */
    String BASE_DIGEST = "org.opencontainers.image.base.digest";

    /**
     * @param registryId the account of the repository
     * @param region the repository's region
     * @param repository the repository name
     * @param digest the image's manifest digest ({@code sha256:...})
     * @return the image configuration's labels; empty when the image has none, or no image configuration Gantry reads
     *     (an image index is read through its first platform's manifest)
     */
    Map<String, String> labels(String registryId, String region, String repository, String digest);

    /** The base digest a child image says it was built on, when it says. */
    default Optional<String> baseDigest(String registryId, String region, String repository, String digest) {
        return Optional.ofNullable(labels(registryId, region, repository, digest).get(BASE_DIGEST));
    }

    class ImageLabelsException extends RuntimeException {
        public ImageLabelsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
