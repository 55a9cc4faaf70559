package dev.gantry.reliability.secrets;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every secret planted in a test, and every place one of them was seen: a log line, what a handler answered, an error
 * message or stack trace, a message Gantry sent out. A finding is a leak.
 */
final class LeakScan {

    /** Where a secret was seen, and in which form. */
    record Finding(String secret, String form, String where, String excerpt) {
        @Override
        public String toString() {
            return secret + " (" + form + ") in " + where + ": …" + excerpt + "…";
        }
    }

    private static final int EXCERPT_CHARS = 90;

    private final Set<Canary> planted = new LinkedHashSet<>();
    private final List<Finding> findings = new ArrayList<>();
    private long plantings;
    private long logLines;

    /** Marks {@code canaries} as handed to the code under test once more. */
    synchronized void planted(Canary... canaries) {
        for (Canary canary : canaries) {
            planted.add(canary);
            plantings++;
        }
    }

    /** Log lines (or lines on stdout/stderr) written while the handlers ran. */
    synchronized void logLines(String where, Collection<String> lines) {
        for (String line : lines) {
            logLines++;
            search(where, line);
        }
    }

    /** Anything else that leaves a handler: its answer, a message sent out. */
    synchronized void text(String where, String text) {
        if (text != null) {
            search(where, text);
        }
    }

    /** A failure the handler threw: its message and its whole stack trace, causes and suppressed included. */
    synchronized void failure(String where, Throwable failure) {
        if (failure != null) {
            StringWriter trace = new StringWriter();
            failure.printStackTrace(new PrintWriter(trace));
            search(where, trace.toString());
        }
    }

    synchronized List<Finding> findings() {
        return List.copyOf(findings);
    }

    /** The findings, one line per secret, form and place, with how often and the first excerpt. */
    synchronized String summary() {
        Map<String, List<Finding>> grouped = new LinkedHashMap<>();
        for (Finding finding : findings) {
            grouped.computeIfAbsent(finding.secret() + " (" + finding.form() + ") in " + finding.where(), k -> new ArrayList<>())
                    .add(finding);
        }
        StringBuilder summary = new StringBuilder(findings.size() + " secrets seen where they must never be:");
        grouped.forEach((what, seen) -> summary.append("\n  ").append(seen.size()).append(" x ").append(what).append(": …")
                .append(seen.get(0).excerpt()).append('…'));
        return summary.toString();
    }

    /** Secrets handed over, counted once per time they were handed to a handler. */
    synchronized long plantings() {
        return plantings;
    }

    synchronized long logLinesScanned() {
        return logLines;
    }

    private void search(String where, String text) {
        for (Canary canary : planted) {
            for (Map.Entry<String, String> form : canary.forms().entrySet()) {
                int at = text.indexOf(form.getValue());
                if (at >= 0) {
                    findings.add(new Finding(canary.name(), form.getKey(), where, excerpt(text, at, form.getValue().length())));
                    break;
                }
            }
        }
    }

    private static String excerpt(String text, int at, int length) {
        int from = Math.max(0, at - EXCERPT_CHARS);
        int to = Math.min(text.length(), at + length + EXCERPT_CHARS);
        return text.substring(from, to).replace('\n', ' ');
    }
}
