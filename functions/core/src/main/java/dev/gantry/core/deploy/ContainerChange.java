package dev.gantry.core.deploy;

import dev.gantry.core.image.ImageReference;

/** One container's image moving from {@code from} to {@code to}. */
public record ContainerChange(String container, String from, String to) {

    public String describe() {
        return container + ": " + from + " -> " + to;
    }

    /**
     * The change as people read it, old and new tag and digest without the registry:
     * {@code app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739}.
     *
     * @param toTag the tag the new digest was pushed or handed over with, or null
     */
    public String summary(String toTag) {
        return container + ": " + brief(ImageReference.parse(from), null) + " -> " + brief(ImageReference.parse(to), toTag);
    }

    private static String brief(ImageReference image, String tagOverride) {
        String tag = tagOverride != null ? tagOverride : image.tag();
        StringBuilder s = new StringBuilder(image.repository());
        if (tag != null) {
            s.append(':').append(tag);
        }
        if (image.digest() != null) {
            String digest = image.digest();
            int hex = digest.indexOf(':') + 1;
            s.append('@').append(digest, 0, Math.min(digest.length(), hex + 12));
        }
        return s.toString();
    }
}
