package dev.gantry.aws;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Attribute reading and writing shared by Gantry's DynamoDB adapters, so that all of them store a
 * value, and read back an absent one, the same way in the one table they share.
 */
final class DynamoDbItems {

    private DynamoDbItems() {}

    static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }

    /** A missing attribute reads back as null: DynamoDB has no null string. */
    static String text(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? null : value.s();
    }

    /** Instants are stored as ISO-8601 text, which keeps them exact and readable in the console. */
    static Instant instant(Map<String, AttributeValue> item, String name) {
        String value = text(item, name);
        return value == null ? null : Instant.parse(value);
    }

    /** Absent values stay absent, so that {@link #text} reads them back as null. */
    static void putText(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }

    /** As {@link #putText}, in the ISO-8601 form {@link #instant} reads. */
    static void putInstant(Map<String, AttributeValue> item, String name, Instant value) {
        if (value != null) {
            item.put(name, s(value.toString()));
        }
    }

    /** A list of strings as a DynamoDB list, which the console shows element by element. */
    static AttributeValue textList(List<String> values) {
        return AttributeValue.fromL(values.stream().map(DynamoDbItems::s).toList());
    }

    /** A missing list reads back as empty. */
    static List<String> textList(Map<String, AttributeValue> item, String name) {
        AttributeValue value = item.get(name);
        return value == null ? List.of() : value.l().stream().map(AttributeValue::s).toList();
    }
}
