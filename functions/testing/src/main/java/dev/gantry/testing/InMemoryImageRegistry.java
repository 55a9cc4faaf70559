package dev.gantry.testing;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An image registry in memory: tags pointing at digests, with every lookup recorded. */
public final class InMemoryImageRegistry implements ImageRegistry {

    private final Map<String, ImageDigest> digestByTaggedImage = new HashMap<>();
    private final List<ImageReference> lookups = new ArrayList<>();

    /** Makes {@code taggedImage} (registry/repository:tag) point at {@code digest}. */
    public synchronized void givenTag(String taggedImage, ImageDigest digest) {
        ImageReference image = ImageReference.parse(taggedImage);
        if (image.tag() == null) {
            throw new IllegalArgumentException("not a tagged image: " + taggedImage);
        }
        digestByTaggedImage.put(image.render(), digest);
    }

    @Override
    public synchronized ImageDigest digestOf(ImageReference image) {
        if (image.tag() == null) {
            throw new IllegalArgumentException("image " + image + " has no tag to look up");
        }
        ImageReference tagged = new ImageReference(image.registry(), image.repository(), image.tag(), null);
        lookups.add(tagged);
        ImageDigest digest = digestByTaggedImage.get(tagged.render());
        if (digest == null) {
            throw new ImageNotFoundException("no image tagged '" + image.tag() + "' in repository " + image.repository(), null);
        }
        return digest;
    }

    public synchronized List<ImageReference> lookups() {
        return List.copyOf(lookups);
    }
}
