package dev.gantry.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Rewrites a Unix cron ({@code minute hour day-of-month month day-of-week}) as the six-field {@code cron(...)} expression
 * EventBridge Scheduler reads ({@code minutes hours day-of-month month day-of-week year}). The time zone is set on the
 * schedule beside the expression, so it plays no part here.
 *
 * <p>How each field is rewritten:
 * <ul>
 *   <li>every field is read into the set of values it names ({@code *}, numbers, names, {@code a-b}, {@code /n} steps and
 *       lists of those), then written back as {@code *}, {@code start/step} when the values run at a fixed step to the
 *       field's end, or a list of values and {@code a-b} ranges;</li>
 *   <li>day of week: Unix counts Sunday as 0 or 7 and Monday as 1, Scheduler Sunday as 1 and Saturday as 7, so each day
 *       moves up by one, and a range ending on Sunday 7 ({@code 5-7}) becomes a list ({@code 1,6,7}); Scheduler takes no
 *       step in this field, so steps are written out as lists too;</li>
 *   <li>year is always {@code *};</li>
 *   <li>Scheduler needs {@code ?} in one of the two day fields: the one Unix leaves at {@code *}.</li>
 * </ul>
 *
 * <p>Rejected with {@link UnconvertibleCronException}: a cron naming both a day of month and a day of week (Unix runs on
 * either day, Scheduler has no way to say "or"), and anything not in Unix cron's five-field syntax ({@code @daily},
 * {@code L}, {@code W}, {@code #}, {@code ?}, seconds).
 */
public final class SchedulerCron {

    /** A Unix cron Scheduler cannot express; the message says which part and why. */
    public static final class UnconvertibleCronException extends IllegalArgumentException {
        UnconvertibleCronException(String cron, String reason) {
            super("cron '" + cron + "' cannot be run by EventBridge Scheduler: " + reason);
        }

        UnconvertibleCronException(String message, UnconvertibleCronException cause) {
            super(message, cause);
        }
    }

    private record Field(String name, int min, int max, Map<String, Integer> names) {

        boolean stepsAllowed() {
            return !name.equals("day of week");
        }
    }

    private static final Field MINUTE = new Field("minute", 0, 59, Map.of());
    private static final Field HOUR = new Field("hour", 0, 23, Map.of());
    private static final Field DAY_OF_MONTH = new Field("day of month", 1, 31, Map.of());
    private static final Field MONTH = new Field("month", 1, 12, Map.ofEntries(Map.entry("JAN", 1), Map.entry("FEB", 2),
            Map.entry("MAR", 3), Map.entry("APR", 4), Map.entry("MAY", 5), Map.entry("JUN", 6), Map.entry("JUL", 7),
            Map.entry("AUG", 8), Map.entry("SEP", 9), Map.entry("OCT", 10), Map.entry("NOV", 11), Map.entry("DEC", 12)));
    // Unix numbering; 7 is Sunday again and is folded onto 0 once the field is read.
    private static final Field DAY_OF_WEEK = new Field("day of week", 0, 7, Map.of("SUN", 0, "MON", 1, "TUE", 2, "WED", 3,
            "THU", 4, "FRI", 5, "SAT", 6));

    private SchedulerCron() {}

    /**
     * @return the expression, {@code cron(...)} included
     * @throws UnconvertibleCronException when the cron is not a five-field Unix cron or Scheduler cannot express it
     */
    public static String fromUnix(String cron) {
        if (cron == null || cron.isBlank()) {
            throw new UnconvertibleCronException(String.valueOf(cron), "it is empty");
        }
        String[] fields = cron.trim().split("\\s+");
        if (fields.length != 5) {
            throw new UnconvertibleCronException(cron, "expected five fields (minute hour day-of-month month day-of-week), found "
                    + fields.length);
        }
        String minutes = write(read(cron, fields[0], MINUTE), MINUTE);
        String hours = write(read(cron, fields[1], HOUR), HOUR);
        String month = write(read(cron, fields[3], MONTH), MONTH);
        boolean anyDayOfMonth = fields[2].equals("*");
        boolean anyDayOfWeek = fields[4].equals("*");
        if (!anyDayOfMonth && !anyDayOfWeek) {
            throw new UnconvertibleCronException(cron, "it names both a day of month and a day of week, which Unix cron runs on "
                    + "either day and Scheduler cannot; keep one of the two fields at *");
        }
        String dayOfMonth;
        String dayOfWeek;
        if (anyDayOfWeek) {
            dayOfMonth = write(read(cron, fields[2], DAY_OF_MONTH), DAY_OF_MONTH);
            dayOfWeek = "?";
        } else {
            dayOfMonth = "?";
            dayOfWeek = schedulerDaysOfWeek(read(cron, fields[4], DAY_OF_WEEK));
        }
        return "cron(" + String.join(" ", minutes, hours, dayOfMonth, month, dayOfWeek, "*") + ")";
    }

    private static String schedulerDaysOfWeek(TreeSet<Integer> unixDays) {
        TreeSet<Integer> days = new TreeSet<>();
        for (int day : unixDays) {
            days.add(day % 7 + 1);
        }
        return write(days, new Field(DAY_OF_WEEK.name(), 1, 7, Map.of()));
    }

    private static TreeSet<Integer> read(String cron, String text, Field field) {
        TreeSet<Integer> values = new TreeSet<>();
        for (String item : text.split(",", -1)) {
            readItem(cron, item, field, values);
        }
        if (field == DAY_OF_WEEK && values.remove(7)) {
            values.add(0);
        }
        return values;
    }

    private static void readItem(String cron, String item, Field field, TreeSet<Integer> values) {
        String range = item;
        int step = 1;
        int slash = item.indexOf('/');
        if (slash >= 0) {
            range = item.substring(0, slash);
            step = number(cron, item.substring(slash + 1), field, "step");
            if (step < 1) {
                throw new UnconvertibleCronException(cron, field.name() + " step '" + item + "' must be at least 1");
            }
        }
        int from;
        int to;
        if (range.equals("*")) {
            from = field.min();
            to = field == DAY_OF_WEEK ? 6 : field.max();
        } else {
            int dash = range.indexOf('-');
            from = value(cron, dash < 0 ? range : range.substring(0, dash), field);
            // "a/n" runs from a to the field's end, as in Vixie cron.
            to = dash >= 0 ? value(cron, range.substring(dash + 1), field) : slash >= 0 ? field.max() : from;
        }
        if (from > to) {
            throw new UnconvertibleCronException(cron, field.name() + " range '" + item + "' runs backwards");
        }
        for (int v = from; v <= to; v += step) {
            values.add(v);
        }
    }

    private static int value(String cron, String text, Field field) {
        Integer named = field.names().get(text.toUpperCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        int value = number(cron, text, field, "value");
        if (value < field.min() || value > field.max()) {
            throw new UnconvertibleCronException(cron, field.name() + " " + value + " is outside " + field.min() + "-" + field.max());
        }
        return value;
    }

    private static int number(String cron, String text, Field field, String what) {
        if (!text.matches("\\d{1,2}")) {
            throw new UnconvertibleCronException(cron, field.name() + " " + what + " '" + text + "' is not part of Unix cron syntax "
                    + "Gantry converts (numbers, names, *, -, / and ,)");
        }
        return Integer.parseInt(text);
    }

    /** The shortest of the forms Scheduler reads for every field: *, start/step, or a list of values and ranges. */
    private static String write(TreeSet<Integer> values, Field field) {
        int last = field == DAY_OF_WEEK ? 6 : field.max();
        if (values.size() == last - field.min() + 1) {
            return "*";
        }
        if (field.stepsAllowed() && values.size() > 2 && step(values) > 1 && values.last() + step(values) > last) {
            return values.first() + "/" + step(values);
        }
        List<String> parts = new ArrayList<>();
        Integer runStart = null;
        Integer previous = null;
        for (int v : values) {
            if (previous != null && v != previous + 1) {
                parts.add(run(runStart, previous));
                runStart = v;
            } else if (runStart == null) {
                runStart = v;
            }
            previous = v;
        }
        parts.add(run(runStart, previous));
        return String.join(",", parts);
    }

    /** The common difference of {@code values}, or 0 when they are not evenly spaced. */
    private static int step(TreeSet<Integer> values) {
        List<Integer> list = List.copyOf(values);
        int step = list.get(1) - list.get(0);
        for (int i = 2; i < list.size(); i++) {
            if (list.get(i) - list.get(i - 1) != step) {
                return 0;
            }
        }
        return step;
    }

    private static String run(int from, int to) {
        if (from == to) {
            return Integer.toString(from);
        }
        return to == from + 1 ? from + "," + to : from + "-" + to;
    }
}
