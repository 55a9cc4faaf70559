package dev.gantry.core.release;

import dev.gantry.core.image.TagPolicy;
import java.time.Instant;
import org.semver4j.Semver;

/**
 * Which of two releases of a service is the newer, as decision 9 has it: under a semver tag policy the higher version,
 * when both tags are versions and they differ; otherwise, or at equal versions, the later push, when both push times are
 * known. Whatever cannot tell them apart is left to the caller. The deploy path and the gates both order by it, so a
 * release that loses to another at one never wins against it at the other.
 *
 * <p>The same in both directions: {@code compare(a, b)} is the reverse of {@code compare(b, a)}.
 */
public final class ReleaseOrderPolicy {

    /** What told the two releases apart. */
    public enum Basis {
        /** Their versions, under a semver policy. */
        VERSION,
        /** Their push times. */
        PUSH_TIME,
        /** Nothing: same version and push time, or too little known. */
        NONE
    }

    /**
     * @param sign negative when the first release is the older, positive when it is the newer, zero under {@link Basis#NONE}
     */
    public record Order(int sign, Basis basis) {
        public boolean firstIsOlder() {
            return sign < 0;
        }
    }

    private ReleaseOrderPolicy() {}

    /**
     * @param policy the service's tag policy; versions count only under {@link TagPolicy.SemverRange}. May be null
     * @param tag the first release's tag; may be null
     * @param pushedAt when the first release was pushed; may be null
     */
    public static Order compare(TagPolicy policy, String tag, Instant pushedAt, String otherTag, Instant otherPushedAt) {
        if (policy instanceof TagPolicy.SemverRange && tag != null && otherTag != null) {
            Semver version = TagPolicy.SemverRange.version(tag);
            Semver otherVersion = TagPolicy.SemverRange.version(otherTag);
            // Precedence, not Semver.isEqualTo: that one tells 1.4.0+a from 1.4.0+b, which neither precedes.
            int byVersion = version == null || otherVersion == null ? 0 : version.compareTo(otherVersion);
            if (byVersion != 0) {
                return new Order(Integer.signum(byVersion), Basis.VERSION);
            }
        }
        if (pushedAt != null && otherPushedAt != null && !pushedAt.equals(otherPushedAt)) {
            return new Order(pushedAt.isBefore(otherPushedAt) ? -1 : 1, Basis.PUSH_TIME);
        }
        return new Order(0, Basis.NONE);
    }
}
