package dev.gantry.reliability.fuzzing;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One mutated sample.
 *
 * @param description what was done, in words a failure report can be read by; never the mutated value itself, which
 *     may be a megabyte long
 * @param bytes what the handler is given
 * @param names the words a rejection may name the damage by: the keys on the mutated path and inside what was
 *     replaced; matched ignoring case
 * @param wholeDocument whether the document as a whole was replaced or cut short, so that whatever the handler
 *     found missing or unreadable first names what is wrong
 */
record Mutation(String sample, String description, byte[] bytes, Set<String> names, boolean wholeDocument) {

    /** Words a reason may use for a document that is broken as a whole: unreadable, empty or of the wrong kind. */
    static final Set<String> WHOLE_DOCUMENT = Set.of("json", "event", "empty", "utf-8", "form", "payload", "notification");

    /** What a reason calls a field in words: the Message of an SNS record is the notification it carries. */
    private static final Map<String, String> IN_WORDS = Map.of("message", "notification");

    Mutation {
        Set<String> lowered = new TreeSet<>();
        for (String name : names) {
            if (name != null && name.length() > 1) {
                lowered.add(name.toLowerCase(Locale.ROOT));
            }
        }
        IN_WORDS.forEach((key, words) -> {
            if (lowered.contains(key)) {
                lowered.add(words);
            }
        });
        names = Set.copyOf(lowered);
    }

    Mutation(String sample, String description, byte[] bytes, Set<String> names) {
        this(sample, description, bytes, names, false);
    }

    /**
     * True when {@code reason} mentions one of the names this mutation may be named by, as written or in words
     * ({@code serviceArn} is named by "service ARN"); a name of two or three letters only as a word of its own.
     */
    boolean isNamedBy(String reason) {
        if (wholeDocument) {
            return !reason.isBlank();
        }
        String lowered = reason.toLowerCase(Locale.ROOT);
        String squeezed = squeezed(lowered);
        for (String name : names) {
            boolean named = name.length() <= 3
                    ? Pattern.compile("(?<![a-z0-9])" + Pattern.quote(name) + "(?![a-z0-9])").matcher(lowered).find()
                    : lowered.contains(name) || (!squeezed(name).isEmpty() && squeezed.contains(squeezed(name)));
            if (named) {
                return true;
            }
        }
        return false;
    }

    private static String squeezed(String text) {
        return text.replaceAll("[^a-z0-9]", "");
    }
}
