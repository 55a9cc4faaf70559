package dev.gantry.aws;

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
}
