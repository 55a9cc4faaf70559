package dev.gantry.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The line of every field and list element of a YAML document, keyed by JSON pointer. Jackson's data
 * binding forgets where values came from, so semantic problems (a duplicate name, a cycle) found after
 * binding look their line up here.
 */
final class SourceLines {

    private final Map<String, Integer> lineByPointer;

    private SourceLines(Map<String, Integer> lineByPointer) {
        this.lineByPointer = lineByPointer;
    }

    static SourceLines scan(YAMLFactory factory, String yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = factory.createParser(yaml)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                JsonStreamContext context = parser.getParsingContext();
                if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                    context = context.getParent();
                }
                if (context != null) {
                    lines.putIfAbsent(context.pathAsPointer().toString(), parser.currentTokenLocation().getLineNr());
                }
            }
        } catch (IOException e) {
            // The binder reports syntax errors with their location; a partial map is fine until then.
        }
        return new SourceLines(lines);
    }

    /** True when the document holds no value at all: only comments, or nothing. */
    boolean isEmpty() {
        return lineByPointer.isEmpty();
    }

    /** How many places were seen; a document of one scalar or null has at most one. */
    int size() {
        return lineByPointer.size();
    }

    /** The line of {@code pointer}, or of its nearest ancestor that has one (a missing field's parent). */
    int lineOf(String pointer) {
        String p = pointer;
        while (true) {
            Integer line = lineByPointer.get(p);
            if (line != null) {
                return line;
            }
            if (p.isEmpty()) {
                return 0;
            }
            p = p.substring(0, p.lastIndexOf('/'));
        }
    }

    /** {@code /services/0/tagPolicy} as {@code services[0].tagPolicy}. */
    static String fieldOf(String pointer) {
        StringBuilder field = new StringBuilder();
        for (String segment : pointer.split("/")) {
            if (segment.isEmpty()) {
                continue;
            }
            if (segment.chars().allMatch(Character::isDigit)) {
                field.append('[').append(segment).append(']');
            } else {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(segment.replace("~1", "/").replace("~0", "~"));
            }
        }
        return field.toString();
    }
}
