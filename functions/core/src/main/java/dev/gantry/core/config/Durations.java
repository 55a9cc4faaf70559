package dev.gantry.core.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads durations as people write them in YAML: {@code 90s}, {@code 30m}, {@code 4h}, {@code 7d}, or
 * ISO-8601 ({@code PT30M}). java.time only reads the ISO form, and nobody writes that in a config file.
 */
public final class Durations {

    private static final Pattern SHORT_FORM = Pattern.compile("(\\d{1,9})\\s*([smhd])");

    private Durations() {}

    /**
     * @throws IllegalArgumentException naming the accepted forms when {@code text} is neither
     */
    public static Duration parse(String text) {
        String trimmed = text.trim();
        Matcher m = SHORT_FORM.matcher(trimmed);
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        }
        try {
            return Duration.parse(trimmed);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a duration: write e.g. 90s, 30m, 4h, 7d or PT30M");
        }
    }
}
