package dev.gantry.reliability.fuzzing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Damage done to a JSON sample, one kind at a time (or two or three stacked), anywhere in its tree: fields removed or
 * renamed, values of another type, megabyte strings, odd Unicode, the fields events are routed by swapped or dropped,
 * bytes that are not JSON at all, and the document cut short.
 */
final class JsonMutations {

    /** The brief's "huge": a value of about a megabyte. */
    static final int MEGABYTE = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    // Stands in the tree for text that no tree can hold (invalid UTF-8, NaN, deep nesting) until the bytes are written.
    private static final String SPLICE = "gantry-fuzz-splice-5d1e-";

    /** The fields handlers tell events apart by, wherever they sit in a sample. */
    private static final Set<String> ROUTING_KEYS = Set.of("detail-type", "source", "type", "EventSource", "lifecycleStage",
            "eventName", "action-type", "result", "build-status", "state", "value", "CodePipeline.job");

    /** Values those fields take in the samples and in what AWS and Slack send, so one can be swapped for another. */
    private static final List<String> ROUTING_VALUES = List.of("ECR Image Action", "ECR Image Scan", "ECS Deployment State Change",
            "ECS Task State Change", "ECS Service Action", "CodePipeline Pipeline Execution State Change",
            "CodePipeline Stage Execution State Change", "CodePipeline Action Execution State Change", "CodeBuild Build State Change",
            "CodeBuild Build Phase Change", "CloudWatch Alarm State Change", "EC2 Image Builder Image State Change", "Scheduled Event",
            "Gantry Scheduled Rebuild", "aws.ecr", "aws.ecs", "aws.codepipeline", "aws.codebuild", "aws.cloudwatch", "aws.imagebuilder",
            "aws.events", "gantry.schedule", "block_actions", "view_submission", "shortcut", "aws:sns", "aws:sqs", "PUSH", "DELETE",
            "SUCCESS", "FAILURE", "SUCCEEDED", "FAILED", "IN_PROGRESS", "STOPPED", "ALARM", "OK", "INSUFFICIENT_DATA",
            "SERVICE_DEPLOYMENT_COMPLETED", "SERVICE_DEPLOYMENT_FAILED", "PRE_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT", "AVAILABLE");

    /** Odd Unicode and odd text, each with the words a failure report shows instead of the characters themselves. */
    static final List<Map.Entry<String, String>> ODD_TEXTS = List.of(
            Map.entry("RTL override U+202E", "\u202E"),
            Map.entry("RTL mark U+200F", "\u200F"),
            Map.entry("NUL", "\u0000"),
            Map.entry("lone high surrogate", "\uD800"),
            Map.entry("lone low surrogate", "\uDC00"),
            Map.entry("emoji", "\uD83D\uDE80"),
            Map.entry("combining acute accent", "e\u0301"),
            Map.entry("combining mark with no base", "\u0301"),
            Map.entry("zalgo", "a\u0300\u0301\u0302\u0303\u0304\u0305\u0306\u0307\u0308\u0309\u030A\u030B"),
            Map.entry("byte order mark", "\uFEFF"),
            Map.entry("zero-width space", "\u200B"),
            Map.entry("non-character U+FFFF", "\uFFFF"),
            Map.entry("replacement character", "\uFFFD"),
            Map.entry("line separator U+2028", "\u2028"),
            Map.entry("CR LF TAB", "\r\n\t"),
            Map.entry("ANSI escape", "\u001B[31m"),
            Map.entry("fullwidth letters", "\uFF53\uFF54\uFF41\uFF47\uFF49\uFF4E\uFF47"),
            Map.entry("Turkish dotted capital I", "\u0130"),
            Map.entry("sharp s", "\u00DF"),
            Map.entry("log4j lookup", "${jndi:ldap://127.0.0.1/x}"),
            Map.entry("path traversal", "../../etc/passwd"),
            Map.entry("quote and backslash", "\"\\"),
            Map.entry("Slack mention", "<!channel>"),
            Map.entry("markdown", "*bold* `code` ```block```"));

    private JsonMutations() {}

    /** One mutation of {@code json}, the sample {@code sample} (or a document built from it), chosen by {@code random}. */
    static Mutation mutate(String sample, String json, Random random) {
        JsonNode original = read(json);
        int roll = random.nextInt(100);
        if (roll < 8) {
            return truncated(sample, json, original, random);
        }
        if (roll < 13) {
            return replacedWhole(sample, json, original, random);
        }
        if (roll < 25) {
            Optional<Mutation> routing = routingField(sample, original, random);
            if (routing.isPresent()) {
                return routing.get();
            }
        }
        Damage damage = new Damage(original.deepCopy());
        int operations = roll >= 94 ? 2 + random.nextInt(2) : 1;
        for (int i = 0; i < operations; i++) {
            if (!damage.applyOne(random)) {
                return replacedWhole(sample, json, original, random);
            }
        }
        return new Mutation(sample, String.join("; ", damage.done), damage.bytes(), damage.names);
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("sample is not JSON", e);
        }
    }

    private static Mutation truncated(String sample, String json, JsonNode original, Random random) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        int kept = random.nextInt(bytes.length);
        byte[] cut = new byte[kept];
        System.arraycopy(bytes, 0, cut, 0, kept);
        return new Mutation(sample, "truncated to " + kept + " of " + bytes.length + " bytes", cut, wholeDocumentNames(original), true);
    }

    private static Mutation replacedWhole(String sample, String json, JsonNode original, Random random) {
        List<Map.Entry<String, Supplier<byte[]>>> replacements = List.of(
                Map.entry("nothing at all", () -> new byte[0]),
                Map.entry("JSON null", () -> utf8("null")),
                Map.entry("an empty array", () -> utf8("[]")),
                Map.entry("an empty object", () -> utf8("{}")),
                Map.entry("a number", () -> utf8("42")),
                Map.entry("a string", () -> utf8("\"ECR Image Action\"")),
                Map.entry("true", () -> utf8("true")),
                Map.entry("an array holding the sample", () -> utf8("[" + json + "]")),
                Map.entry("the sample twice", () -> utf8(json + json)),
                Map.entry("the sample and trailing text", () -> utf8(json + " trailing")),
                Map.entry("a byte order mark and the sample", () -> utf8("\uFEFF" + json)),
                Map.entry("XML", () -> utf8("<event><detail-type>ECR Image Action</detail-type></event>")),
                Map.entry("whitespace", () -> utf8(" \n\t ")),
                Map.entry("NUL bytes", () -> new byte[16]),
                Map.entry("random bytes", () -> randomBytes(random, 64)),
                Map.entry("the sample in UTF-16", () -> json.getBytes(StandardCharsets.UTF_16)),
                Map.entry("an object nested 5000 deep", () -> utf8("{\"a\":".repeat(5000) + "1" + "}".repeat(5000))));
        Map.Entry<String, Supplier<byte[]>> chosen = replacements.get(random.nextInt(replacements.size()));
        return new Mutation(sample, "whole event replaced by " + chosen.getKey(), chosen.getValue().get(), wholeDocumentNames(original),
                true);
    }

    private static Optional<Mutation> routingField(String sample, JsonNode original, Random random) {
        JsonNode tree = original.deepCopy();
        List<Location> routing = locations(tree).stream().filter(l -> l.field != null && ROUTING_KEYS.contains(l.field)).toList();
        if (routing.isEmpty()) {
            return Optional.empty();
        }
        Location target = routing.get(random.nextInt(routing.size()));
        JsonNode current = target.node();
        String text = current.isTextual() ? current.textValue() : current.toString();
        String description;
        int choice = random.nextInt(10);
        switch (choice) {
            case 0 -> {
                target.remove();
                description = "removed " + target.path;
            }
            case 1 -> {
                target.replace(NODES.nullNode());
                description = target.path + " -> null";
            }
            case 2 -> {
                target.replace(NODES.textNode(""));
                description = target.path + " -> empty string";
            }
            case 3 -> {
                target.replace(NODES.textNode(text.toLowerCase(Locale.ROOT)));
                description = target.path + " -> lower case";
            }
            case 4 -> {
                target.replace(NODES.textNode(text + " "));
                description = target.path + " -> trailing space";
            }
            case 5 -> {
                target.replace(NODES.textNode("\u202E" + text));
                description = target.path + " -> RTL override before it";
            }
            case 6 -> {
                target.replace(NODES.numberNode(1));
                description = target.path + " -> number 1";
            }
            case 7 -> {
                target.replace(NODES.arrayNode().add(current));
                description = target.path + " -> array holding it";
            }
            default -> {
                String other = ROUTING_VALUES.get(random.nextInt(ROUTING_VALUES.size()));
                target.replace(NODES.textNode(other));
                description = target.path + " -> '" + other + "'";
            }
        }
        // An event that claims to be another kind is read as that kind, and its reason names what that kind lacks.
        Set<String> names = new HashSet<>(wholeDocumentNames(original));
        names.addAll(allKeys(original));
        return Optional.of(new Mutation(sample, description, write(tree), names));
    }

    /** A tree being damaged, with what was done and the raw text that takes the place of spliced nodes. */
    private static final class Damage {
        private final JsonNode tree;
        private final List<String> done = new ArrayList<>();
        private final Set<String> names = new HashSet<>();
        private final List<byte[]> splices = new ArrayList<>();
        private final List<byte[]> trailingDuplicates = new ArrayList<>();
        private boolean huge;

        Damage(JsonNode tree) {
            this.tree = tree;
        }

        boolean applyOne(Random random) {
            List<Location> locations = locations(tree);
            if (locations.isEmpty()) {
                return false;
            }
            Location target = locations.get(random.nextInt(locations.size()));
            names.addAll(target.keys);
            names.addAll(allKeys(target.node()));
            int roll = random.nextInt(100);
            if (roll < 26) {
                target.remove();
                done.add("removed " + target.path);
            } else if (roll < 52) {
                retype(target, random);
            } else if (roll < 60 && !huge) {
                huge = true;
                huge(target, random);
            } else if (roll < 75) {
                oddUnicode(target, random);
            } else if (roll < 83 && target.field != null) {
                rename(target, random);
            } else if (roll < 94) {
                splice(target, random);
            } else if (target.field != null && target.parent == tree) {
                duplicate(target, random);
            } else {
                retype(target, random);
            }
            return true;
        }

        private void retype(Location target, Random random) {
            JsonNode current = target.node();
            List<Map.Entry<String, JsonNode>> candidates = new ArrayList<>(List.of(
                    Map.entry("empty string", NODES.textNode("")),
                    Map.entry("string 'x'", NODES.textNode("x")),
                    Map.entry("string '42'", NODES.textNode("42")),
                    Map.entry("string 'true'", NODES.textNode("true")),
                    Map.entry("string 'null'", NODES.textNode("null")),
                    Map.entry("string '2026-02-30T25:61:00Z'", NODES.textNode("2026-02-30T25:61:00Z")),
                    Map.entry("number 0", NODES.numberNode(0)),
                    Map.entry("number -1", NODES.numberNode(-1)),
                    Map.entry("number 42", NODES.numberNode(42)),
                    Map.entry("number 2^63", NODES.numberNode(BigInteger.ONE.shiftLeft(63))),
                    Map.entry("number 3.14", NODES.numberNode(3.14)),
                    Map.entry("number 1e308", NODES.numberNode(1e308)),
                    Map.entry("number -0.0", NODES.numberNode(-0.0)),
                    Map.entry("true", NODES.booleanNode(true)),
                    Map.entry("false", NODES.booleanNode(false)),
                    Map.entry("null", NODES.nullNode()),
                    Map.entry("empty array", NODES.arrayNode()),
                    Map.entry("array holding it", NODES.arrayNode().add(current.deepCopy())),
                    Map.entry("array of null", NODES.arrayNode().addNull()),
                    Map.entry("mixed array", NODES.arrayNode().add("x").add(1).add(NODES.objectNode())),
                    Map.entry("empty object", NODES.objectNode()),
                    Map.entry("object holding it", NODES.objectNode().set("value", current.deepCopy())),
                    Map.entry("object with an empty key", NODES.objectNode().putNull(""))));
            candidates.removeIf(candidate -> sameKind(candidate.getValue().getNodeType(), current.getNodeType()));
            Map.Entry<String, JsonNode> chosen = candidates.get(random.nextInt(candidates.size()));
            target.replace(chosen.getValue());
            done.add(target.path + ": " + kind(current) + " -> " + chosen.getKey());
        }

        private void huge(Location target, Random random) {
            JsonNode current = target.node();
            String text = current.isTextual() ? current.textValue() : "";
            int choice = random.nextInt(7);
            JsonNode replacement;
            String what;
            switch (choice) {
                case 0 -> {
                    replacement = NODES.textNode("a".repeat(MEGABYTE));
                    what = "1 MB string of 'a'";
                }
                case 1 -> {
                    replacement = NODES.textNode("\u20AC".repeat(MEGABYTE / 3));
                    what = "1 MB string of '\u20AC' (3 bytes each)";
                }
                case 2 -> {
                    replacement = NODES.textNode("9".repeat(MEGABYTE));
                    what = "1 MB string of digits";
                }
                case 3 -> {
                    String unit = text.isEmpty() ? "x" : text;
                    replacement = NODES.textNode(unit.repeat(Math.max(1, MEGABYTE / unit.length())));
                    what = "its own text repeated to 1 MB";
                }
                case 4 -> {
                    replacement = NODES.textNode("\"\\".repeat(MEGABYTE / 4));
                    what = "1 MB of quotes and backslashes (escaped)";
                }
                case 5 -> {
                    ArrayNode array = NODES.arrayNode();
                    // Copies of a small value only: copies of an earlier megabyte would make gigabytes.
                    JsonNode element = current.isValueNode() && current.toString().length() <= 64 ? current : NODES.textNode("x");
                    for (int i = 0; i < 20_000; i++) {
                        array.add(element);
                    }
                    replacement = array;
                    what = "array of 20,000 copies";
                }
                default -> {
                    ObjectNode object = NODES.objectNode();
                    for (int i = 0; i < 10_000; i++) {
                        object.put("k" + i, i);
                    }
                    replacement = object;
                    what = "object of 10,000 fields";
                }
            }
            target.replace(replacement);
            done.add(target.path + ": " + kind(current) + " -> " + what);
        }

        private void oddUnicode(Location target, Random random) {
            JsonNode current = target.node();
            Map.Entry<String, String> odd = ODD_TEXTS.get(random.nextInt(ODD_TEXTS.size()));
            if (!current.isTextual()) {
                target.replace(NODES.textNode(odd.getValue()));
                done.add(target.path + ": " + kind(current) + " -> " + odd.getKey());
                return;
            }
            String text = current.textValue();
            int at = text.isEmpty() ? 0 : random.nextInt(text.length() + 1);
            switch (random.nextInt(3)) {
                case 0 -> {
                    target.replace(NODES.textNode(text.substring(0, at) + odd.getValue() + text.substring(at)));
                    done.add(target.path + ": " + odd.getKey() + " inserted at " + at);
                }
                case 1 -> {
                    target.replace(NODES.textNode(odd.getValue()));
                    done.add(target.path + ": replaced by " + odd.getKey());
                }
                default -> {
                    target.replace(NODES.textNode(odd.getValue().repeat(1 + random.nextInt(64)) + text));
                    done.add(target.path + ": " + odd.getKey() + " repeated before it");
                }
            }
        }

        private void rename(Location target, Random random) {
            String key = target.field;
            List<Map.Entry<String, String>> renames = List.of(
                    Map.entry("upper case", key.toUpperCase(Locale.ROOT)),
                    Map.entry("capitalised", key.isEmpty() ? "X" : Character.toUpperCase(key.charAt(0)) + key.substring(1)),
                    Map.entry("trailing space", key + " "),
                    Map.entry("leading byte order mark", "\uFEFF" + key),
                    Map.entry("hyphens as underscores", key.replace('-', '_')),
                    Map.entry("RTL override after it", key + "\u202E"),
                    Map.entry("empty", ""),
                    Map.entry("NUL after it", key + "\u0000"));
            Map.Entry<String, String> chosen = renames.get(random.nextInt(renames.size()));
            ObjectNode parent = (ObjectNode) target.parent;
            if (parent.has(chosen.getValue())) {
                target.remove();
                done.add("removed " + target.path);
                return;
            }
            JsonNode value = parent.remove(key);
            parent.set(chosen.getValue(), value);
            done.add("renamed " + target.path + " (" + chosen.getKey() + ")");
        }

        private void splice(Location target, Random random) {
            JsonNode current = target.node();
            List<Map.Entry<String, byte[]>> raw = List.of(
                    Map.entry("string with invalid UTF-8 byte 0xFF", rawBytes("\"ab", 0xFF, "cd\"")),
                    Map.entry("string with truncated UTF-8 sequence", rawBytes("\"ab", 0xE2, 0x82, "\"")),
                    Map.entry("string with UTF-8-encoded surrogate", rawBytes("\"ab", 0xED, 0xA0, 0x80, "\"")),
                    Map.entry("string with overlong UTF-8 '/'", rawBytes("\"ab", 0xC0, 0xAF, "\"")),
                    Map.entry("string with a raw control character", rawBytes("\"a", 0x01, "b\"")),
                    Map.entry("string with a raw line break", utf8("\"a\nb\"")),
                    Map.entry("NaN", utf8("NaN")),
                    Map.entry("Infinity", utf8("-Infinity")),
                    Map.entry("number with leading zeros", utf8("007")),
                    Map.entry("number 1e99999", utf8("1e99999")),
                    Map.entry("number of 2000 digits", utf8("9".repeat(2000))),
                    Map.entry("hex number", utf8("0x1F")),
                    Map.entry("single-quoted string", utf8("'text'")),
                    Map.entry("unquoted word", utf8("undefined")),
                    Map.entry("unterminated string", utf8("\"unterminated")),
                    Map.entry("comment", utf8("/* comment */ 1")),
                    Map.entry("arrays nested 3000 deep", utf8("[".repeat(3000) + "]".repeat(3000))));
            Map.Entry<String, byte[]> chosen = raw.get(random.nextInt(raw.size()));
            target.replace(NODES.textNode(SPLICE + splices.size()));
            splices.add(chosen.getValue());
            names.addAll(Mutation.WHOLE_DOCUMENT);
            done.add(target.path + ": " + kind(current) + " -> " + chosen.getKey());
        }

        /** A second copy of a top-level key at the end of the object, which a last-wins reader takes. */
        private void duplicate(Location target, Random random) {
            List<Map.Entry<String, String>> values = List.of(
                    Map.entry("number 42", "42"), Map.entry("null", "null"), Map.entry("empty string", "\"\""),
                    Map.entry("'ECS Task State Change'", "\"ECS Task State Change\""), Map.entry("empty object", "{}"));
            Map.Entry<String, String> chosen = values.get(random.nextInt(values.size()));
            trailingDuplicates.add(utf8("," + quote(target.field) + ":" + chosen.getValue()));
            done.add("duplicate key " + target.path + " at the end of the object: " + chosen.getKey());
        }

        byte[] bytes() {
            byte[] written = write(tree);
            for (int i = 0; i < splices.size(); i++) {
                written = replace(written, utf8("\"" + SPLICE + i + "\""), splices.get(i));
            }
            for (byte[] duplicate : trailingDuplicates) {
                written = beforeLastBrace(written, duplicate);
            }
            return written;
        }
    }

    /** Where a node sits: its parent and its key or index, and the path and keys that lead to it. */
    private static final class Location {
        final JsonNode parent;
        final String field;
        final int index;
        final String path;
        final List<String> keys;

        Location(JsonNode parent, String field, int index, String path, List<String> keys) {
            this.parent = parent;
            this.field = field;
            this.index = index;
            this.path = path;
            this.keys = keys;
        }

        JsonNode node() {
            return field != null ? parent.get(field) : parent.get(index);
        }

        void remove() {
            if (field != null) {
                ((ObjectNode) parent).remove(field);
            } else {
                ((ArrayNode) parent).remove(index);
            }
        }

        void replace(JsonNode value) {
            if (field != null) {
                ((ObjectNode) parent).set(field, value);
            } else {
                ((ArrayNode) parent).set(index, value);
            }
        }
    }

    private static List<Location> locations(JsonNode root) {
        List<Location> found = new ArrayList<>();
        collect(root, "", List.of(), found);
        return found;
    }

    private static void collect(JsonNode node, String path, List<String> keys, List<Location> found) {
        if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.properties().forEach(field -> names.add(field.getKey()));
            for (String name : names) {
                String childPath = path.isEmpty() ? name : path + "." + name;
                List<String> childKeys = new ArrayList<>(keys);
                childKeys.add(name);
                found.add(new Location(node, name, -1, childPath, childKeys));
                collect(node.get(name), childPath, childKeys, found);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                String childPath = path + "[" + i + "]";
                found.add(new Location(node, null, i, childPath, keys));
                collect(node.get(i), childPath, keys, found);
            }
        }
    }

    static Set<String> allKeys(JsonNode node) {
        Set<String> keys = new HashSet<>();
        for (Location location : locations(node)) {
            if (location.field != null) {
                keys.add(location.field);
            }
        }
        return keys;
    }

    private static Set<String> wholeDocumentNames(JsonNode original) {
        Set<String> names = new HashSet<>(Mutation.WHOLE_DOCUMENT);
        original.properties().forEach(field -> names.add(field.getKey()));
        return names;
    }

    private static boolean sameKind(JsonNodeType a, JsonNodeType b) {
        return a == b || (a == JsonNodeType.NUMBER && b == JsonNodeType.NUMBER);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case NULL -> "null";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static byte[] write(JsonNode tree) {
        try {
            return JSON.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String quote(String key) {
        return NODES.textNode(key).toString();
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Text and raw byte values in order: strings as UTF-8, integers as single bytes. */
    private static byte[] rawBytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(utf8(text));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }

    private static byte[] replace(byte[] haystack, byte[] needle, byte[] replacement) {
        int at = indexOf(haystack, needle);
        if (at < 0) {
            return haystack;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(haystack.length + replacement.length);
        out.write(haystack, 0, at);
        out.writeBytes(replacement);
        out.write(haystack, at + needle.length, haystack.length - at - needle.length);
        return out.toByteArray();
    }

    private static byte[] beforeLastBrace(byte[] document, byte[] insert) {
        for (int i = document.length - 1; i >= 0; i--) {
            if (document[i] == '}') {
                ByteArrayOutputStream out = new ByteArrayOutputStream(document.length + insert.length);
                out.write(document, 0, i);
                out.writeBytes(insert);
                out.write(document, i, document.length - i);
                return out.toByteArray();
            }
        }
        return document;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
