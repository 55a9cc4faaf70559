package dev.gantry.testing;

import dev.gantry.core.rebuild.ImageLabels;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Image labels in memory, by repository and digest; an image without labels has none. */
public final class InMemoryImageLabels implements ImageLabels {

    private final Map<String, Map<String, String>> labelsByImage = new HashMap<>();
    private final Set<String> unreadable = new HashSet<>();

    public synchronized void givenLabels(String repository, String digest, Map<String, String> labels) {
        labelsByImage.put(repository + "@" + digest, Map.copyOf(labels));
    }

    /** The image was built FROM {@code baseName} at {@code baseDigest}, as a Dockerfile's OCI labels say. */
    public void givenBuiltOn(String repository, String digest, String baseName, String baseDigest) {
        givenLabels(repository, digest, Map.of(BASE_NAME, baseName, BASE_DIGEST, baseDigest));
    }

    /** Reading the image's configuration fails. */
    public synchronized void givenUnreadable(String repository, String digest) {
        unreadable.add(repository + "@" + digest);
    }

    @Override
    public synchronized Map<String, String> labels(String registryId, String region, String repository, String digest) {
        if (unreadable.contains(repository + "@" + digest)) {
            throw new ImageLabelsException("cannot read the configuration of " + repository + "@" + digest, null);
        }
        return labelsByImage.getOrDefault(repository + "@" + digest, Map.of());
    }
}
