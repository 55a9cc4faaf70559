package dev.gantry.testing;

import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.LineageHistory;
import java.util.ArrayList;
import java.util.List;

/** Base versions and child images in memory, in the order recorded; a second sighting of a digest changes nothing. */
public final class InMemoryLineageHistory implements LineageHistory {

    private final List<BaseVersion> versions = new ArrayList<>();
    private final List<ImageLineage> children = new ArrayList<>();

    @Override
    public synchronized void recordBaseVersion(BaseVersion version) {
        if (versions.stream().noneMatch(v -> v.baseName().equals(version.baseName()) && v.digest().equals(version.digest()))) {
            versions.add(version);
        }
    }

    @Override
    public synchronized List<BaseVersion> baseVersions(String baseName) {
        return versions.stream().filter(v -> v.baseName().equals(baseName)).toList();
    }

    @Override
    public synchronized void recordChild(ImageLineage lineage) {
        if (children.stream().noneMatch(c -> c.repository().equals(lineage.repository()) && c.digest().equals(lineage.digest()))) {
            children.add(lineage);
        }
    }

    @Override
    public synchronized List<ImageLineage> children(String repository) {
        return children.stream().filter(c -> c.repository().equals(repository)).toList();
    }
}
