package dev.gantry.aws;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * The key schema of Gantry's state table, for places that create the table themselves: DynamoDB Local
 * in tests and the local run, and LocalStack. In AWS the CDK stack creates it with the same keys.
 */
public final class StateTable {

    private static final DateTimeFormatter SORTABLE_INSTANT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);

    public static final String PARTITION_KEY = "pk";
    public static final String SORT_KEY = "sk";

    private StateTable() {}

    public static void createIfMissing(DynamoDbClient dynamo, String table) {
        try {
            dynamo.createTable(r -> r
                    .tableName(table)
                    .billingMode(BillingMode.PAY_PER_REQUEST)
                    .attributeDefinitions(
                            AttributeDefinition.builder().attributeName(PARTITION_KEY).attributeType(ScalarAttributeType.S).build(),
                            AttributeDefinition.builder().attributeName(SORT_KEY).attributeType(ScalarAttributeType.S).build())
                    .keySchema(
                            KeySchemaElement.builder().attributeName(PARTITION_KEY).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(SORT_KEY).keyType(KeyType.RANGE).build()));
        } catch (ResourceInUseException e) {
            // Already there: creating is idempotent for callers.
        }
    }

    /**
     * {@code at} as sort-key text whose lexical order is time order: every instant the same width, nine fraction digits
     * always, so items keyed by it come back from a Query oldest first.
     */
    public static String sortableInstant(Instant at) {
        return SORTABLE_INSTANT.format(at);
    }
}
