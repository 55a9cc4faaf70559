package dev.gantry.core.config;

import dev.gantry.core.image.TagPolicy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which tags of a repository are releases. Exactly one of the kinds is set.
 *
 * @param semver a semantic-version range such as {@code ">=1.0.0 <2.0.0"} or {@code ^1.4}; a leading
 *     {@code v} on tags is accepted
 * @param allowPrerelease whether semver pre-releases ({@code 1.2.0-rc.1}) count; {@code false} by default
 * @param glob a glob such as {@code release-*}
 * @param regex a Java regular expression the whole tag must match
 * @param exact one tag, e.g. {@code stable}
 * @param track a mutable tag (e.g. {@code latest}) whose every re-push with a new digest is a release
 */
public record TagPolicyConfig(String semver, Boolean allowPrerelease, String glob, String regex, String exact, String track) {

    // A function keeps one configuration for its life, and a configuration names few policies, so each is parsed once
    // and kept. semver4j reads a range anew at every construction: `scripts/bench core` found that reading at 15% of
    // a push's decisions when it happened per event.
    private static final Map<TagPolicyConfig, TagPolicy> PARSED = new ConcurrentHashMap<>();

    /** The policy this configuration describes; call only on a validated configuration. */
    public TagPolicy toPolicy() {
        return PARSED.computeIfAbsent(this, TagPolicyConfig::parse);
    }

    private TagPolicy parse() {
        if (semver != null) {
            return new TagPolicy.SemverRange(semver, Boolean.TRUE.equals(allowPrerelease));
        }
        if (glob != null) {
            return new TagPolicy.Glob(glob);
        }
        if (regex != null) {
            return new TagPolicy.Regex(regex);
        }
        if (exact != null) {
            return new TagPolicy.Exact(exact);
        }
        return new TagPolicy.Track(track);
    }

    int kindsSet() {
        int n = 0;
        for (String kind : new String[] {semver, glob, regex, exact, track}) {
            if (kind != null) {
                n++;
            }
        }
        return n;
    }
}
