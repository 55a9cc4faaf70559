package dev.gantry.testing;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An image registry in memory: images by digest with their push times, tags pointing at them, and every lookup
 * recorded. As ECR does, it knows only the images it was given: a digest it was not given is not found.
 */
public final class InMemoryImageRegistry implements ImageRegistry {

    private final Map<String, ImageDigest> digestByTaggedImage = new HashMap<>();
    private final Map<String, PinnedImage> imageByPinnedImage = new HashMap<>();
    private final List<ImageReference> lookups = new ArrayList<>();
    private RuntimeException refusal;

    /** Makes {@code taggedImage} (registry/repository:tag) point at {@code digest}, whose push time the registry does not say. */
    public void givenTag(String taggedImage, ImageDigest digest) {
        givenTag(taggedImage, digest, null);
    }

    /** Makes {@code taggedImage} (registry/repository:tag) point at {@code digest}, pushed at {@code pushedAt}. */
    public synchronized void givenTag(String taggedImage, ImageDigest digest, Instant pushedAt) {
        ImageReference image = ImageReference.parse(taggedImage);
        if (image.tag() == null) {
            throw new IllegalArgumentException("not a tagged image: " + taggedImage);
        }
        digestByTaggedImage.put(image.render(), digest);
        String pinned = pinned(image, digest.value()).render();
        // Another tag of the same image must not forget the push time already given for it.
        if (pushedAt != null || !imageByPinnedImage.containsKey(pinned)) {
            imageByPinnedImage.put(pinned, new PinnedImage(digest, pushedAt));
        }
    }

    /** Holds {@code pinnedImage} (registry/repository@digest), pushed at {@code pushedAt} (null: the registry does not say). */
    public synchronized void givenImage(String pinnedImage, Instant pushedAt) {
        ImageReference image = ImageReference.parse(pinnedImage);
        if (image.digest() == null) {
            throw new IllegalArgumentException("not an image pinned to a digest: " + pinnedImage);
        }
        imageByPinnedImage.put(pinned(image, image.digest()).render(), new PinnedImage(ImageDigest.parse(image.digest()), pushedAt));
    }

    /** Every lookup from now on fails with {@code refusal}, as ECR refusing Gantry's role does; null answers again. */
    public synchronized void refuseLookups(RuntimeException refusal) {
        this.refusal = refusal;
    }

    @Override
    public synchronized PinnedImage pin(ImageReference image) {
        if (refusal != null) {
            lookups.add(image);
            throw refusal;
        }
        if (image.digest() != null) {
            ImageReference byDigest = pinned(image, image.digest());
            lookups.add(byDigest);
            PinnedImage found = imageByPinnedImage.get(byDigest.render());
            if (found == null) {
                throw new ImageNotFoundException("no image " + image.digest() + " in repository " + image.repository(), null);
            }
            return found;
        }
        if (image.tag() == null) {
            throw new IllegalArgumentException("image " + image + " has neither a digest nor a tag to look up");
        }
        ImageReference tagged = new ImageReference(image.registry(), image.repository(), image.tag(), null);
        lookups.add(tagged);
        ImageDigest digest = digestByTaggedImage.get(tagged.render());
        if (digest == null) {
            throw new ImageNotFoundException("no image tagged '" + image.tag() + "' in repository " + image.repository(), null);
        }
        return imageByPinnedImage.get(pinned(image, digest.value()).render());
    }

    /** Every image asked about, as asked: by tag (registry/repository:tag) or by digest (registry/repository@digest). */
    public synchronized List<ImageReference> lookups() {
        return List.copyOf(lookups);
    }

    private static ImageReference pinned(ImageReference image, String digest) {
        return new ImageReference(image.registry(), image.repository(), null, digest);
    }
}
