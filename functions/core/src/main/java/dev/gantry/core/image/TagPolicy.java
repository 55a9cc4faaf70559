package dev.gantry.core.image;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.regex.Pattern;
import org.semver4j.RangesList;
import org.semver4j.RangesListFactory;
import org.semver4j.Semver;

/** Which pushed tags of a repository are releases of a service. */
public sealed interface TagPolicy {

    boolean matches(String tag);

    /** How the policy reads in a log line or a Slack message. */
    String describe();

    /** Tags that are semantic versions within a range; a leading {@code v} is accepted. */
    record SemverRange(String range, boolean allowPrerelease, RangesList ranges) implements TagPolicy {
        public SemverRange(String range, boolean allowPrerelease) {
            this(range, allowPrerelease, RangesListFactory.create(range, allowPrerelease));
        }

        /** semver4j answers an unparseable range with an empty list rather than an error. */
        public static boolean isValidRange(String range) {
            return !range.isBlank() && !RangesListFactory.create(range).get().isEmpty();
        }

        @Override
        public boolean matches(String tag) {
            Semver version = version(tag);
            if (version == null) {
                return false;
            }
            if (!version.isStable() && !allowPrerelease) {
                return false;
            }
            return version.satisfies(ranges);
        }

        /** The version a tag names, or null when it is not a semantic version. */
        public static Semver version(String tag) {
            String text = tag.startsWith("v") || tag.startsWith("V") ? tag.substring(1) : tag;
            return Semver.parse(text);
        }

        @Override
        public String describe() {
            return "semver " + range + (allowPrerelease ? " (pre-releases allowed)" : "");
        }
    }

    /**
     * Tags matching a glob ({@code *}, {@code ?}, {@code [a-z]}, {@code {a,b}}). The JDK's glob matcher
     * does this already; tags never contain the path separator it treats specially.
     */
    record Glob(String pattern, PathMatcher matcher) implements TagPolicy {
        public Glob(String pattern) {
            this(pattern, FileSystems.getDefault().getPathMatcher("glob:" + pattern));
        }

        @Override
        public boolean matches(String tag) {
            return !tag.contains("/") && matcher.matches(Path.of(tag));
        }

        @Override
        public String describe() {
            return "glob " + pattern;
        }
    }

    /** Tags the whole of which match a regular expression. */
    record Regex(String regex, Pattern pattern) implements TagPolicy {
        public Regex(String regex) {
            this(regex, Pattern.compile(regex));
        }

        @Override
        public boolean matches(String tag) {
            return pattern.matcher(tag).matches();
        }

        @Override
        public String describe() {
            return "regex " + regex;
        }
    }

    /** One fixed tag, such as {@code stable}. */
    record Exact(String tag) implements TagPolicy {
        @Override
        public boolean matches(String candidate) {
            return tag.equals(candidate);
        }

        @Override
        public String describe() {
            return "exact tag " + tag;
        }
    }

    /** A mutable tag, such as {@code latest}: every push of it with a new digest is a release. */
    record Track(String tag) implements TagPolicy {
        @Override
        public boolean matches(String candidate) {
            return tag.equals(candidate);
        }

        @Override
        public String describe() {
            return "tracking tag " + tag;
        }
    }
}
