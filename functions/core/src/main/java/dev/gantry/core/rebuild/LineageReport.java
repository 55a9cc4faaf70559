package dev.gantry.core.rebuild;

import dev.gantry.core.image.ImageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * How far each image built FROM a base is behind it: plain values that a script prints and the Slack notifier renders,
 * one entry per configured base image in file order.
 */
public record LineageReport(List<BaseEntry> bases) {

    public LineageReport {
        bases = List.copyOf(bases);
    }

    /**
     * One base image and its direct dependents.
     *
     * @param baseName the configured base's name
     * @param repository its repository
     * @param tag the tag whose pushes are its new versions
     * @param newest the digest the tag points at now; null when the registry has no such image
     * @param children one entry per dependent, in file order
     */
    public record BaseEntry(String baseName, String repository, String tag, ImageDigest newest, List<ChildEntry> children) {

        public BaseEntry {
            children = List.copyOf(children);
        }

        /** {@code golden/java21 sha256:0123456789ab -> 3 images: 2 current, 1 behind by 2}. */
        public String summary() {
            String head = newest == null ? repository + " (nothing tagged " + tag + ")" : repository + " sha256:" + newest.shortForm();
            List<String> parts = new ArrayList<>();
            long current = children.stream().filter(ChildEntry::isCurrent).count();
            if (current > 0) {
                parts.add(current + " current");
            }
            Map<Integer, Integer> countByBehind = new TreeMap<>();
            children.stream().filter(c -> c.behind() != null && c.behind() > 0)
                    .forEach(c -> countByBehind.merge(c.behind(), 1, Integer::sum));
            countByBehind.forEach((behind, count) -> parts.add(count + " behind by " + behind));
            long unknown = children.stream().filter(c -> c.behind() == null).count();
            if (unknown > 0) {
                parts.add(unknown + " unknown");
            }
            long revoked = children.stream().filter(ChildEntry::baseRevoked).count();
            if (revoked > 0) {
                parts.add(revoked + " on a revoked base");
            }
            return head + " -> " + children.size() + (children.size() == 1 ? " image" : " images")
                    + (parts.isEmpty() ? "" : ": " + String.join(", ", parts));
        }

        /** The summary, then one line per dependent. */
        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            lines.add(summary());
            children.forEach(c -> lines.add(c.line()));
            return List.copyOf(lines);
        }
    }

    /**
     * One dependent's newest image whose base Gantry knows.
     *
     * @param dependent the dependent's name
     * @param repository the repository it is pushed to
     * @param image the newest image of it with known lineage; null when none is known
     * @param baseDigest the base digest that image was built on; null when none is known
     * @param behind how many base versions were seen after that one: 0 when it is on the newest; null when unknown
     * @param baseRevoked whether that base digest is revoked
     * @param runningIn the service environments running that image ({@code payments/prod}); empty when none does or ECS
     *     was not asked
     */
    public record ChildEntry(String dependent, String repository, ImageDigest image, ImageDigest baseDigest, Integer behind,
            boolean baseRevoked, List<String> runningIn) {

        public ChildEntry {
            runningIn = List.copyOf(runningIn);
        }

        public boolean isCurrent() {
            return behind != null && behind == 0;
        }

        /** {@code payments-api-image: payments-api sha256:… on sha256:…, behind by 2, base revoked; runs in payments/prod}. */
        public String line() {
            if (image == null) {
                return dependent + ": no image of " + repository + " with a known base yet";
            }
            String standing = behind == null ? "behind by an unknown count" : behind == 0 ? "current" : "behind by " + behind;
            return dependent + ": " + repository + " sha256:" + image.shortForm() + " on sha256:" + baseDigest.shortForm() + ", "
                    + standing + (baseRevoked ? ", base revoked" : "")
                    + (runningIn.isEmpty() ? "" : "; runs in " + String.join(", ", runningIn));
        }
    }

    /** Every base's lines, one block after another. */
    public List<String> lines() {
        return bases.stream().flatMap(b -> b.lines().stream()).toList();
    }
}
