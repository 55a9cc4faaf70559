package dev.gantry.core.image;

import java.time.Instant;
import java.util.Objects;

/**
 * A container registry, asked what a tag points at right now and when an image was pushed. Gantry deploys and
 * approves digests, never tags; this is how an image handed over by tag (a pipeline's {@code imagedefinitions.json})
 * is pinned before anything is deployed, and how a release handed over without a push time (a pipeline's artifact
 * names only the image) learns the push time that orders it against the others (decision 9).
 *
 * <p>Errors: {@link ImageNotFoundException} when the repository, the tag or the digest does not exist (retrying
 * cannot help); {@link ImageRegistryException} for anything else the registry refused or failed.
 */
public interface ImageRegistry {

    /**
     * An image as the registry holds it.
     *
     * @param digest the digest it is pinned to
     * @param pushedAt when the registry received it (ECR's {@code imagePushedAt}); null when the registry does not say
     */
    record PinnedImage(ImageDigest digest, Instant pushedAt) {
        public PinnedImage {
            Objects.requireNonNull(digest, "digest");
        }
    }

    /**
     * The image {@code image} names, in one lookup: by its digest when it has one (its tag, if any, is then ignored),
     * else by its tag, pinned to the digest that tag points at now.
     *
     * @param image an image with a digest or a tag, in a registry this implementation serves (Amazon ECR: the registry
     *     carries the account and region)
     * @throws IllegalArgumentException when the image has neither digest nor tag, or its registry is not one this
     *     implementation can ask
     */
    PinnedImage pin(ImageReference image);

    /**
     * The digest {@code image}'s tag points at.
     *
     * @param image an image with a tag, in a registry this implementation serves; a digest it already has is ignored
     * @throws IllegalArgumentException when the image has no tag, or its registry is not one this implementation can ask
     */
    default ImageDigest digestOf(ImageReference image) {
        if (image.tag() == null) {
            throw new IllegalArgumentException("image " + image + " has no tag to look up");
        }
        return pin(new ImageReference(image.registry(), image.repository(), image.tag(), null)).digest();
    }

    /** The repository, the tag or the digest does not exist. The message names what was asked for and the repository. */
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

    /**
     * The registry refuses Gantry's role the lookup: a repository of another account without a policy for Gantry, or a
     * central registry. Asking again cannot help, unlike the registry failing or throttling.
     */
    class ImageAccessDeniedException extends ImageRegistryException {
        public ImageAccessDeniedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
