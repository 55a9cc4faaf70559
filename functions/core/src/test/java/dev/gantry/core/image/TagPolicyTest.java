package dev.gantry.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class TagPolicyTest {

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        ">=1.0.0 <2.0.0 | 1.0.0          | true",
        ">=1.0.0 <2.0.0 | 1.9.9          | true",
        ">=1.0.0 <2.0.0 | 2.0.0          | false",
        ">=1.0.0 <2.0.0 | 0.9.0          | false",
        "^1.4           | 1.4.0          | true",
        "^1.4           | 1.99.0         | true",
        "^1.4           | 1.3.9          | false",
        "^1.4           | 2.0.0          | false",
        "^1.4           | 1.4.0+build.5  | true",
        "1.x            | 1.0.0          | true",
        "1.x            | 2.0.0          | false",
        "^1.4           | v1.5.0         | true",
        "^1.4           | V1.5.0         | true",
        "^1.4           | v2.0.0         | false",
        "1.x            | release-1      | false",
        "1.x            | latest         | false",
        "1.x            | 1.5            | false",
        "1.x            | 01.4.0         | false",
    })
    void semverRangeMatchesVersionsWithinIt(String range, String tag, boolean expected) {
        TagPolicy policy = new TagPolicy.SemverRange(range, false);

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} with allowPrerelease={2} matches {1}: {3}")
    @CsvSource(delimiter = '|', value = {
        "^1.4           | 1.5.0-rc.1  | false | false",
        "^1.4           | 1.5.0-rc.1  | true  | true",
        "^1.4           | v1.5.0-rc.1 | true  | true",
        ">=1.0.0 <2.0.0 | 1.2.0-beta  | false | false",
        ">=1.0.0 <2.0.0 | 1.2.0-beta  | true  | true",
        "^1.4           | 2.0.0-rc.1  | true  | false",
        "^1.4           | 1.5.0       | true  | true",
    })
    void semverRangeTakesPreReleasesOnlyWhenAllowed(String range, String tag, boolean allowPrerelease, boolean expected) {
        TagPolicy policy = new TagPolicy.SemverRange(range, allowPrerelease);

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "release-*         | release-42   | true",
        "release-*         | release-1.2  | true",
        "release-*         | release      | false",
        "release-*         | xrelease-1   | false",
        "release-*         | release-1/x  | false",
        "*                 | a/b          | false",
        "v?.0              | v1.0         | true",
        "v?.0              | v10.0        | false",
        "{stable,canary}-* | canary-2     | true",
        "{stable,canary}-* | stable-7     | true",
        "{stable,canary}-* | beta-1       | false",
        "[a-c]-1           | b-1          | true",
        "[a-c]-1           | d-1          | false",
    })
    void globMatchesWholeTagsWithoutSlashes(String glob, String tag, boolean expected) {
        TagPolicy policy = new TagPolicy.Glob(glob);

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"release-1\u0000", "release-\uD800", "release-\uDC00x"})
    void globTakesNoTagThatCannotBeAFileName(String tag) {
        TagPolicy policy = new TagPolicy.Glob("release-*");

        assertThat(policy.matches(tag)).isFalse();
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        "release-\\d+ | release-12  | true",
        "release-\\d+ | xrelease-12 | false",
        "release-\\d+ | release-12x | false",
        "release-\\d+ | release-    | false",
        "\\d+\\.\\d+  | 1.4         | true",
    })
    void regexMustMatchTheWholeTag(String regex, String tag, boolean expected) {
        TagPolicy policy = new TagPolicy.Regex(regex);

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "exact stable matches {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "stable   | true",
        "Stable   | false",
        "stable-1 | false",
        "stabl    | false",
    })
    void exactMatchesOnlyItsTag(String tag, boolean expected) {
        TagPolicy policy = new TagPolicy.Exact("stable");

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "track latest matches {0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "latest   | true",
        "latest-1 | false",
        "1.0.0    | false",
    })
    void trackMatchesOnlyItsTag(String tag, boolean expected) {
        TagPolicy policy = new TagPolicy.Track("latest");

        assertThat(policy.matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {">=1.0.0 <2.0.0", "^1.4", "1.x", "~1.2.3", "1.2.3 - 1.4.0", ">1.0.0 || <0.5.0", "=1.2.3"})
    void acceptsSemverRanges(String range) {
        assertThat(TagPolicy.SemverRange.isValidRange(range)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", ">=abc", "1.2.3.4", "=>1.0.0", "!1.0", "", "   "})
    void rejectsInvalidOrBlankSemverRanges(String range) {
        assertThat(TagPolicy.SemverRange.isValidRange(range)).isFalse();
    }

    // semver4j drops a comparator it cannot read and keeps the rest: '<<2' would silently lift the cap.
    @ParameterizedTest
    @ValueSource(strings = {">=1.0.0 <<2", ">=1.0.0 <2.0.0 garbage", "^x"})
    
    void rejectsRangeWithAnUnreadableComparator(String range) {
        assertThat(TagPolicy.SemverRange.isValidRange(range)).isFalse();
    }

    static Stream<Arguments> descriptions() {
        return Stream.of(
                Arguments.of(new TagPolicy.SemverRange(">=1.0.0 <2.0.0", false), "semver >=1.0.0 <2.0.0"),
                Arguments.of(new TagPolicy.SemverRange("^1.4", true), "semver ^1.4 (pre-releases allowed)"),
                Arguments.of(new TagPolicy.Glob("release-*"), "glob release-*"),
                Arguments.of(new TagPolicy.Regex("release-\\d+"), "regex release-\\d+"),
                Arguments.of(new TagPolicy.Exact("stable"), "exact tag stable"),
                Arguments.of(new TagPolicy.Track("latest"), "tracking tag latest"));
    }

    @ParameterizedTest
    @MethodSource("descriptions")
    void describesItselfForLogsAndSlack(TagPolicy policy, String expected) {
        assertThat(policy.describe()).isEqualTo(expected);
    }
}
