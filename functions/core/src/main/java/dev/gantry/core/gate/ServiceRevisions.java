package dev.gantry.core.gate;

import java.util.List;
import java.util.Objects;

/**
 * ECS service revisions, as a deployment lifecycle hook needs them: which image digests the revision being
 * deployed runs. ECS resolves every container's image to a digest when it creates the revision, so the
 * digest is what the gate decides on, never a tag.
 *
 * <p>Errors: {@link ServiceRevisionsException} when the revision cannot be read or does not exist.
 */
public interface ServiceRevisions {

    /** @param serviceRevisionArn the revision's ARN, as the hook payload names it */
    Revision describe(String serviceRevisionArn);

    /**
     * @param serviceRevisionArn the revision's ARN
     * @param serviceArn the service it belongs to
     * @param containers each container's image and the digest ECS resolved it to
     */
    record Revision(String serviceRevisionArn, String serviceArn, List<ContainerImage> containers) {
        public Revision {
            Objects.requireNonNull(serviceRevisionArn, "serviceRevisionArn");
            containers = containers == null ? List.of() : List.copyOf(containers);
        }
    }

    /**
     * @param containerName the container's name
     * @param image the image as the task definition names it
     * @param digest the digest ECS resolved it to ({@code sha256:...}); null when ECS did not resolve it
     */
    record ContainerImage(String containerName, String image, String digest) {}

    class ServiceRevisionsException extends RuntimeException {
        public ServiceRevisionsException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
