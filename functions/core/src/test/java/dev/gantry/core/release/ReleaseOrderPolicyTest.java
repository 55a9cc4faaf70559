package dev.gantry.core.release;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.TagPolicy;
import dev.gantry.core.release.ReleaseOrderPolicy.Basis;
import dev.gantry.core.release.ReleaseOrderPolicy.Order;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReleaseOrderPolicyTest {

    private static final TagPolicy SEMVER = new TagPolicy.SemverRange(">=1.0.0 <2.0.0", false);
    private static final TagPolicy GLOB = new TagPolicy.Glob("release-*");

    @ParameterizedTest(name = "{0}: {1} at {2} vs {3} at {4} -> {5} by {6}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "semver | 1.4.1         | 10:02 | 1.5.0         | 10:00 | -1 | VERSION",
        "semver | 1.5.0         | 10:00 | 1.4.1         | 10:02 |  1 | VERSION",
        "semver | v1.10.0       | 10:00 | 1.9.0         | 10:00 |  1 | VERSION",
        "semver | 1.4.0         | 10:00 | 1.4.0         | 10:02 | -1 | PUSH_TIME",
        "semver | 1.4.0+build.1 | 10:02 | 1.4.0+build.2 | 10:00 |  1 | PUSH_TIME",
        "semver | 1.4.0         | 10:00 | 1.4.0         | 10:00 |  0 | NONE",
        "semver | 1.4.0         | -     | 1.4.0         | 10:00 |  0 | NONE",
        "semver | 1.5.0         | -     | 1.4.0         | -     |  1 | VERSION",
        "semver | 3f2c9a1       | 10:00 | 1.4.0         | 10:02 | -1 | PUSH_TIME",
        "semver | -             | 10:02 | 1.4.0         | 10:00 |  1 | PUSH_TIME",
        "glob   | release-9     | 10:02 | release-10    | 10:00 |  1 | PUSH_TIME",
        "none   | 1.4.1         | 10:02 | 1.5.0         | 10:00 |  1 | PUSH_TIME",
    })
    void ordersTheHigherVersionUnderASemverPolicyElseTheLaterPush(String policy, String tag, String pushed, String otherTag,
            String otherPushed, int sign, Basis basis) {
        TagPolicy tagPolicy = switch (policy) {
            case "semver" -> SEMVER;
            case "glob" -> GLOB;
            default -> null;
        };

        Order order = ReleaseOrderPolicy.compare(tagPolicy, tag, at(pushed), otherTag, at(otherPushed));
        Order reversed = ReleaseOrderPolicy.compare(tagPolicy, otherTag, at(otherPushed), tag, at(pushed));

        assertThat(order).isEqualTo(new Order(sign, basis));
        assertThat(reversed).as("the same two, the other way round").isEqualTo(new Order(-sign, basis));
    }

    private static Instant at(String time) {
        return time == null ? null : Instant.parse("2026-11-23T" + time + ":00Z");
    }
}
