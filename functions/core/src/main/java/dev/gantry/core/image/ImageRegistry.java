package dev.gantry.core.image;

/**
 * A container registry, asked what a tag points at right now. Gantry deploys and approves digests, never
 * tags; this is how an image handed over by tag (a pipeline's {@code imagedefinitions.json}) is pinned
 * before anything is deployed.
 *
 * <p>Errors: {@link ImageNotFoundException} when the repository or the tag does not exist (retrying cannot
 * help); {@link ImageRegistryException} for anything else the registry refused or failed.
 */
public interface ImageRegistry {

    /**
     * The digest {@code image}'s tag points at.
     *
     * @param image an image with a tag, in a registry this implementation serves (Amazon ECR: the
     *     registry carries the account and region); a digest it already has is ignored
     * @throws IllegalArgumentException when the image has no tag, or its registry is not one this
     *     implementation can ask
     */
    ImageDigest digestOf(ImageReference image);

    /** The repository or the tag does not exist. The message names both. */
    class ImageNotFoundException extends RuntimeException {
        public ImageNotFoundException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The registry refused or failed the lookup for another reason. */
    class ImageRegistryException extends RuntimeException {
        public ImageRegistryException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
