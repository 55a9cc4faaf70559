package dev.gantry.core.rebuild;

import java.util.List;

/**
 * An EC2 Image Builder image changed state ("EC2 Image Builder Image State Change"), as Gantry needs it.
 *
 * @param pipelineArn the image pipeline that built it; null for an image built outside a pipeline
 * @param imageArn the image's ARN, e.g. {@code arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/4}
 * @param state {@code AVAILABLE}, {@code FAILED}, {@code BUILDING} and the rest of Image Builder's states
 * @param reason the state's reason, when Image Builder gave one (failures do)
 * @param imageUris the container images the build distributed ({@code <registry>/<repository>:<tag>} or
 *     {@code ...@sha256:...}); empty when unknown, and then the base's own tag is read
 */
public record ImageBuilderImage(String pipelineArn, String imageArn, String state, String reason, List<String> imageUris) {

    public ImageBuilderImage {
        imageUris = imageUris == null ? List.of() : List.copyOf(imageUris);
    }

    /** The states after which Gantry acts: a new base, or a base that failed to build. Others pass by unread. */
    public boolean finished() {
        return "AVAILABLE".equals(state) || "FAILED".equals(state);
    }

    /** The same image, with what Image Builder says of it when the event did not say it. */
    public ImageBuilderImage completedWith(String sourcePipelineArn, List<String> distributedUris) {
        return new ImageBuilderImage(pipelineArn != null ? pipelineArn : sourcePipelineArn, imageArn, state, reason,
                imageUris.isEmpty() ? distributedUris : imageUris);
    }
}
