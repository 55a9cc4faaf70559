package dev.gantry.aws;

import java.time.Instant;
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
}
