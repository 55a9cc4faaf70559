package dev.gantry.core.config;

/**
 * One thing wrong with a configuration file.
 *
 * @param line 1-based line in the file, or 0 when the problem has no single place
 * @param field the field in dotted form, e.g. {@code services[0].tagPolicy.regex}; empty for the root
 * @param message what is wrong, in words a user can act on
 */
public record ConfigProblem(int line, String field, String message) {

    String describe(String source) {
        String where = line > 0 ? source + ":" + line : source;
        return field.isEmpty() ? where + ": " + message : where + ": " + field + ": " + message;
    }
}
