package dev.gantry.testing;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.RevokedBases;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Revoked base digests in memory; the first revocation of a digest stays. */
public final class InMemoryRevokedBases implements RevokedBases {

    private final Map<String, RevokedBase> byImage = new LinkedHashMap<>();

    @Override
    public synchronized boolean revoke(RevokedBase revoked) {
        return byImage.putIfAbsent(key(revoked.repository(), revoked.digest()), revoked) == null;
    }

    @Override
    public synchronized Optional<RevokedBase> find(String repository, ImageDigest digest) {
        return Optional.ofNullable(byImage.get(key(repository, digest)));
    }

    @Override
    public synchronized List<RevokedBase> list() {
        return List.copyOf(byImage.values());
    }

    private static String key(String repository, ImageDigest digest) {
        return repository + "@" + digest.value();
    }
}
