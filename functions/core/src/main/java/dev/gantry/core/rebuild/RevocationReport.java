package dev.gantry.core.rebuild;

import dev.gantry.core.deploy.DeployControls.Veto;
import dev.gantry.core.rebuild.RevokedBases.RevokedBase;
import java.util.ArrayList;
import java.util.List;

/**
 * What revoking a base digest did, as plain values the log, the script and the Slack notifier each render their way.
 *
 * @param revoked the revocation in force (the first one, when the digest was revoked before)
 * @param alreadyRevoked whether the digest was revoked before this call
 * @param descendants every image known to be built on the revoked digest, directly or through other images
 * @param vetoes the vetoes this call added; ones that existed already are not repeated
 * @param running the environments whose running task definition uses a descendant image
 * @param unreadable environments whose running task definition could not be read, and why: they may run a descendant
 * @param rebuilds what the rebuild of each affected base's dependents did
 */
public record RevocationReport(RevokedBase revoked, boolean alreadyRevoked, List<ImageLineage> descendants, List<Veto> vetoes,
        List<RunningImage> running, List<String> unreadable, List<RebuildReport> rebuilds) {

    /**
     * An environment running a descendant image.
     *
     * @param service the configured service
     * @param environment its environment
     * @param taskDefinitionArn the revision its primary deployment runs
     * @param container the container running the image
     * @param image the image as the task definition names it
     */
    public record RunningImage(String service, String environment, String taskDefinitionArn, String container, String image) {
        public String line() {
            return service + "/" + environment + " runs " + image + " in container " + container;
        }
    }

    public RevocationReport {
        descendants = List.copyOf(descendants);
        vetoes = List.copyOf(vetoes);
        running = List.copyOf(running);
        unreadable = List.copyOf(unreadable);
        rebuilds = List.copyOf(rebuilds);
    }

    /** {@code golden/java21 sha256:0123456789ab revoked by U012ALICE: 3 images built on it, 4 vetoes, 2 environments run one}. */
    public String summary() {
        return revoked.describe() + (alreadyRevoked ? " was already revoked by " : " revoked by ") + revoked.revokedBy()
                + ": " + count(descendants.size(), "image") + " built on it, " + count(vetoes.size(), "new veto")
                + ", " + count(running.size(), "environment") + (running.size() == 1 ? " runs one" : " run one")
                + (unreadable.isEmpty() ? "" : ", " + unreadable.size() + " could not be read");
    }

    /** The summary, then the environments running a descendant, the unreadable ones, and each rebuild's lines. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(summary());
        running.forEach(r -> lines.add(r.line()));
        unreadable.forEach(u -> lines.add("could not read " + u));
        rebuilds.forEach(r -> lines.addAll(r.lines()));
        return List.copyOf(lines);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : noun.endsWith("o") ? "es" : "s");
    }
}
