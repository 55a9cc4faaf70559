package dev.gantry.core.rebuild;

/**
 * What EC2 Image Builder knows of an image that its state-change event leaves out: the event names the image, not the
 * pipeline that built it, so which base image it is can only be read back.
 */
public interface ImageBuilderImages {

    /**
     * The image completed with its source pipeline and distributed container image URIs.
     *
     * @throws ImageBuilderException when Image Builder cannot be read; the event is then retried, not dropped
     */
    ImageBuilderImage complete(ImageBuilderImage image);

    /** Image Builder refused or failed the lookup. The message names the image. */
    class ImageBuilderException extends RuntimeException {
        public ImageBuilderException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
