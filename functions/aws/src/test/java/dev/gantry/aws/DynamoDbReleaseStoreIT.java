package dev.gantry.aws;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.testing.ReleaseStoreContract;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/** The release-store contract against DynamoDB Local, whose conditional writes behave as DynamoDB's. */
class DynamoDbReleaseStoreIT extends ReleaseStoreContract {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static AmazonDynamoDBLocal dynamoLocal;
    private static DynamoDbClient dynamo;

    @BeforeAll
    static void startDynamoDbLocal() {
        dynamoLocal = DynamoDBEmbedded.create();
        dynamo = dynamoLocal.dynamoDbClient();
    }

    @AfterAll
    static void stopDynamoDbLocal() {
        dynamoLocal.shutdown();
    }

    @Override
    protected ReleaseStore store() {
        String table = "gantry-" + TABLES.incrementAndGet();
        StateTable.createIfMissing(dynamo, table);
        return new DynamoDbReleaseStore(dynamo, table);
    }
}
