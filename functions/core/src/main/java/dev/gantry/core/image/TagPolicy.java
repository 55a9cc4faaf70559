package dev.gantry.core.image;

import java.nio.file.FileSystems;
import java.nio.file.InvalidPathException;
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

        // One comparator as npm writes them: an optional operator, then a version whose parts may be
        // wildcards, e.g. >=1.2.0, ^1.4, ~2, 1.x, 1.2.3-rc.1. Caret and tilde need a numeric major.
        private static final String PART = "(?:0|[1-9]\\d*|[xX*])";
        private static final Pattern COMPARATOR = Pattern.compile(
                "(?:(?:>=|<=|>|<|=)?v?" + PART + "|[\\^~]v?(?:0|[1-9]\\d*))(?:\\." + PART + "){0,2}"
                        + "(?:-[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?");

        /**
         * Whether every comparator of {@code range} is readable. semver4j quietly drops the parts it cannot
         * read, so {@code ">=1.0.0 <<2"} would lose its upper bound and let 2.x and 3.x through.
         */
        public static boolean isValidRange(String range) {
            if (range.isBlank()) {
                return false;
            }
            for (String alternative : range.split("\\|\\|", -1)) {
                String normalized = alternative.trim().replaceAll("(>=|<=|>|<|=|\\^|~)\\s+", "$1");
                if (normalized.isEmpty()) {
                    return false;
                }
                String[] tokens = normalized.split("\\s+");
                for (int i = 0; i < tokens.length; i++) {
                    boolean hyphenBetweenVersions = tokens[i].equals("-") && i > 0 && i < tokens.length - 1;
                    if (!hyphenBetweenVersions && !tokens[i].equals("*") && !COMPARATOR.matcher(tokens[i]).matches()) {
                        return false;
                    }
                }
            }
            return !RangesListFactory.create(range).get().isEmpty();
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

        /** The version a tag names, or null when it is not one; semver4j itself accepts one leading {@code v}. */
        public static Semver version(String tag) {
            return Semver.parse(tag.startsWith("V") ? "v" + tag.substring(1) : tag);
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
            if (tag.contains("/")) {
                return false;
            }
            try {
                return matcher.matches(Path.of(tag));
            } catch (InvalidPathException e) {
                // A NUL, or a character the platform cannot put in a file name (which one depends on its encoding):
                // no registry allows such a tag, and it is no release.
                return false;
            }
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
