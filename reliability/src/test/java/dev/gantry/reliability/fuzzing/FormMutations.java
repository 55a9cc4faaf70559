package dev.gantry.reliability.fuzzing;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Damage done to a Slack request body, {@code application/x-www-form-urlencoded} as Slack posts it: fields removed,
 * emptied, repeated or renamed, values of a megabyte or of odd Unicode (encoded, or raw where an encoder would not leave
 * them), broken percent-escapes, slash-command text Gantry cannot make sense of, and the body cut short.
 */
final class FormMutations {

    private static final List<String> BAD_ESCAPES = List.of("%", "%2", "%zz", "%E2%82", "%C0%AF", "%00", "%FF", "%ED%A0%80", "+%",
            "%%", "%u202E");

    private static final List<String> COMMAND_TEXTS = List.of("", " ", "deploy", "deploy payments-api", "deploy payments-api prod",
            "deploy payments-api prod 9.9.9", "deploy payments-api staging sha256:zz", "rollback", "rollback checkout-web staging",
            "approve", "approve payments-api", "approve payments-api prod sha256:" + "0".repeat(64), "reject payments-api prod because",
            "veto payments-api staging", "pin payments-api prod 1.4.0", "unpin", "freeze prod 99999999h", "freeze prod -1h",
            "unfreeze", "status", "status payments-api", "status no-such-service", "rebuild golden-java21", "rebuild",
            "help help help", "deploy payments-api prod 1.4.0 extra words here", "DEPLOY PAYMENTS-API PROD 1.4.0",
            "deploy\tpayments-api\nprod", "deploy payments-api prod " + "9".repeat(5000));

    private FormMutations() {}

    /** One mutation of the form body {@code form}, the sample {@code sample}, chosen by {@code random}. */
    static Mutation mutate(String sample, String form, Random random) {
        List<String[]> fields = parse(form);
        int roll = random.nextInt(100);
        if (roll < 8 || fields.isEmpty()) {
            int kept = form.isEmpty() ? 0 : random.nextInt(form.length());
            return new Mutation(sample, "body truncated to " + kept + " of " + form.length() + " characters",
                    JsonMutations.utf8(form.substring(0, kept)), wholeBodyNames(fields), true);
        }
        if (roll < 13) {
            return replacedWhole(sample, fields, random);
        }
        Damage damage = new Damage(fields);
        int operations = roll >= 94 ? 2 + random.nextInt(2) : 1;
        for (int i = 0; i < operations; i++) {
            damage.applyOne(random);
        }
        return new Mutation(sample, String.join("; ", damage.done), JsonMutations.utf8(render(damage.fields)), damage.names);
    }

    /**
     * An interaction as Slack posts it, {@code payload=<the JSON>}, around a mutated payload; now and then the form itself
     * is damaged too.
     */
    static Mutation asInteraction(Mutation payload, String originalPayload, Random random) {
        String form = "payload=" + percentEncode(payload.bytes());
        Set<String> names = new HashSet<>(payload.names());
        names.add("payload");
        if (random.nextInt(100) >= 15) {
            return new Mutation(payload.sample(), "payload: " + payload.description(), JsonMutations.utf8(form), names,
                    payload.wholeDocument());
        }
        Mutation outer = mutate(payload.sample(), form, random);
        names.addAll(outer.names());
        if (outer.names().contains("payload")) {
            // Without its payload the body reads as a slash command, and the reason names what a command lacks.
            names.addAll(JsonMutations.allKeys(JsonMutations.read(originalPayload)));
            names.addAll(List.of("team_id", "api_app_id", "user_id", "command", "response_url", "trigger_id", "channel_id"));
        }
        return new Mutation(payload.sample(), "payload: " + payload.description() + "; then the form: " + outer.description(),
                outer.bytes(), names, payload.wholeDocument() || outer.wholeDocument());
    }

    private static Mutation replacedWhole(String sample, List<String[]> fields, Random random) {
        List<Map.Entry<String, String>> replacements = List.of(
                Map.entry("nothing at all", ""),
                Map.entry("'&'", "&"),
                Map.entry("'&&&'", "&&&"),
                Map.entry("'='", "="),
                Map.entry("'=='", "=="),
                Map.entry("an empty payload", "payload="),
                Map.entry("a payload of one brace", "payload=%7B"),
                Map.entry("a payload of an array", "payload=%5B%5D"),
                Map.entry("JSON instead of a form", "{\"type\":\"block_actions\",\"team\":{\"id\":\"T0GANTRY1\"}}"),
                Map.entry("a field without '='", "team_id"),
                Map.entry("odd Unicode", "\u202E\u0000\uFEFF=\uD83D\uDE80"),
                Map.entry("1 MB of '&'", "&".repeat(JsonMutations.MEGABYTE)),
                Map.entry("100,000 empty fields", "a=&".repeat(100_000)));
        Map.Entry<String, String> chosen = replacements.get(random.nextInt(replacements.size()));
        return new Mutation(sample, "whole body replaced by " + chosen.getKey(), JsonMutations.utf8(chosen.getValue()),
                wholeBodyNames(fields), true);
    }

    /** The body's fields being damaged, still encoded as they travel, and what was done. */
    private static final class Damage {
        private final List<String[]> fields;
        private final List<String> done = new ArrayList<>();
        private final Set<String> names = new HashSet<>();

        Damage(List<String[]> fields) {
            this.fields = fields;
        }

        void applyOne(Random random) {
            if (fields.isEmpty()) {
                fields.add(new String[] {"team_id", "T0GANTRY1"});
            }
            int index = random.nextInt(fields.size());
            String[] field = fields.get(index);
            String name = decoded(field[0]);
            names.add(name);
            int roll = random.nextInt(100);
            if (roll < 22) {
                fields.remove(index);
                done.add("removed " + name);
            } else if (roll < 30) {
                field[1] = "";
                done.add(name + ": emptied");
            } else if (roll < 38) {
                boolean same = random.nextBoolean();
                fields.add(random.nextInt(fields.size() + 1), new String[] {field[0], same ? field[1] : "other"});
                done.add(name + ": repeated " + (same ? "with the same value" : "with another value"));
            } else if (roll < 44) {
                boolean multiByte = random.nextBoolean();
                field[1] = multiByte ? "%E2%82%AC".repeat(JsonMutations.MEGABYTE / 3) : "a".repeat(JsonMutations.MEGABYTE);
                done.add(name + ": 1 MB value" + (multiByte ? " of '\u20AC' (3 bytes each)" : ""));
            } else if (roll < 60) {
                Map.Entry<String, String> odd = JsonMutations.ODD_TEXTS.get(random.nextInt(JsonMutations.ODD_TEXTS.size()));
                boolean raw = random.nextBoolean();
                String value = raw ? odd.getValue() : URLEncoder.encode(odd.getValue(), StandardCharsets.UTF_8);
                int at = field[1] == null ? 0 : random.nextInt(field[1].length() + 1);
                String current = field[1] == null ? "" : field[1];
                field[1] = current.substring(0, at) + value + current.substring(at);
                done.add(name + ": " + odd.getKey() + (raw ? " unencoded" : " encoded") + " at " + at);
            } else if (roll < 72) {
                String escape = BAD_ESCAPES.get(random.nextInt(BAD_ESCAPES.size()));
                if (random.nextInt(4) == 0) {
                    int at = random.nextInt(field[0].length() + 1);
                    field[0] = field[0].substring(0, at) + escape + field[0].substring(at);
                    names.add("field name");
                    done.add("name " + name + ": '" + escape + "' at " + at);
                } else {
                    String current = field[1] == null ? "" : field[1];
                    int at = random.nextInt(current.length() + 1);
                    field[1] = current.substring(0, at) + escape + current.substring(at);
                    done.add(name + ": '" + escape + "' at " + at);
                }
            } else if (roll < 80) {
                List<Map.Entry<String, String>> renames = List.of(
                        Map.entry("upper case", field[0].toUpperCase(Locale.ROOT)),
                        Map.entry("trailing space", field[0] + "+"),
                        Map.entry("RTL override before it", "%E2%80%AE" + field[0]),
                        Map.entry("brackets after it", field[0] + "%5B%5D"),
                        Map.entry("without '='", ""));
                Map.Entry<String, String> chosen = renames.get(random.nextInt(renames.size()));
                if (chosen.getValue().isEmpty()) {
                    field[1] = null;
                } else {
                    field[0] = chosen.getValue();
                }
                done.add("renamed " + name + " (" + chosen.getKey() + ")");
            } else if (roll < 92) {
                String text = COMMAND_TEXTS.get(random.nextInt(COMMAND_TEXTS.size()));
                String[] textField = fields.stream().filter(f -> "text".equals(f[0])).findFirst().orElse(null);
                if (textField == null) {
                    textField = new String[] {"text", ""};
                    fields.add(textField);
                }
                textField[1] = URLEncoder.encode(text, StandardCharsets.UTF_8);
                names.add("text");
                done.add("text: '" + abbreviated(text) + "'");
            } else {
                fields.add(random.nextInt(fields.size() + 1), new String[] {"ssl_check", "1"});
                done.add("ssl_check=1 added");
            }
        }
    }

    private static List<String[]> parse(String form) {
        List<String[]> fields = new ArrayList<>();
        if (form.isEmpty()) {
            return fields;
        }
        for (String pair : form.split("&", -1)) {
            int equals = pair.indexOf('=');
            fields.add(equals < 0 ? new String[] {pair, null} : new String[] {pair.substring(0, equals), pair.substring(equals + 1)});
        }
        return fields;
    }

    private static String render(List<String[]> fields) {
        List<String> pairs = new ArrayList<>();
        for (String[] field : fields) {
            pairs.add(field[1] == null ? field[0] : field[0] + "=" + field[1]);
        }
        return String.join("&", pairs);
    }

    private static Set<String> wholeBodyNames(List<String[]> fields) {
        Set<String> names = new HashSet<>(Mutation.WHOLE_DOCUMENT);
        fields.forEach(field -> names.add(decoded(field[0])));
        return names;
    }

    private static String decoded(String encoded) {
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return encoded;
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 60 ? text : text.substring(0, 60) + "… (" + text.length() + " characters)";
    }

    /** Every byte percent-encoded except the unreserved ones: raw bytes that are not UTF-8 survive as escapes. */
    static String percentEncode(byte[] bytes) {
        StringBuilder encoded = new StringBuilder(bytes.length * 3);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~') {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return encoded.toString();
    }
}
