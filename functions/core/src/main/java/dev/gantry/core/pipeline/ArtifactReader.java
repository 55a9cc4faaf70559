package dev.gantry.core.pipeline;

/**
 * Reads a pipeline's artifacts with the credentials its job handed over, never with Gantry's own: the
 * pipeline decides what its action may read.
 *
 * <p>Errors: {@link ArtifactReadException} when the artifact is missing, larger than allowed, or cannot
 * be read. Its message names the artifact and the reason and never contains a credential.
 */
public interface ArtifactReader {

    /**
     * The artifact's bytes, as stored (a ZIP archive for CodePipeline's S3 artifacts).
     *
     * @param maxBytes the largest artifact the caller accepts; a larger one is refused before it is read
     *     whole
     */
    byte[] read(ArtifactLocation location, ArtifactAccess access, int maxBytes);

    /** The artifact could not be read, or is too large. */
    class ArtifactReadException extends RuntimeException {
        public ArtifactReadException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
