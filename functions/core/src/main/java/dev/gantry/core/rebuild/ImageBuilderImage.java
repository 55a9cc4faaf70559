package dev.gantry.core.rebuild;

/**
 * An EC2 Image Builder image changed state ("EC2 Image Builder Image State Change"), as Gantry needs it.
 *
 * @param pipelineArn the image pipeline that built it; null for an image built outside a pipeline
 * @param imageArn the image's ARN, e.g. {@code arn:aws:imagebuilder:eu-west-1:111111111111:image/golden-java21/1.0.0/4}
 * @param state {@code AVAILABLE}, {@code FAILED}, {@code BUILDING} and the rest of Image Builder's states
 * @param reason the state's reason, when Image Builder gave one (failures do)
 * @param digest the container image's digest when the caller knows it; null to read what the base's tag points at
 */
public record ImageBuilderImage(String pipelineArn, String imageArn, String state, String reason, String digest) {}
