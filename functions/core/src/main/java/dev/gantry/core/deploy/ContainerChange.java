package dev.gantry.core.deploy;

/** One container's image moving from {@code from} to {@code to}. */
public record ContainerChange(String container, String from, String to) {

    public String describe() {
        return container + ": " + from + " -> " + to;
    }
}
