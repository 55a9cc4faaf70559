package dev.gantry.core.deploy;

/** A container of a task definition and the image it runs. */
public record ContainerImage(String name, String image) {}
