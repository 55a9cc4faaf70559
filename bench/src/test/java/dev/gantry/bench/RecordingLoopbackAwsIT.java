package dev.gantry.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.EcsException;

/**
 * The cold-start comparison's loopback, through the real SDK: what the function's endpoint records, the floor replays
 * on its own endpoint with the same answers, and the contenders' tables stay apart.
 */
class RecordingLoopbackAwsIT {

    private static RecordingLoopbackAws aws;

    @TempDir
    Path dir;

    @BeforeAll
    static void open() throws Exception {
        aws = RecordingLoopbackAws.open(Path.of("../events"));
    }

    @AfterAll
    static void close() {
        aws.close();
    }

    @Test
    void theFloorReplaysTheFunctionsCallsWithTheSameAnswersInItsOwnTable() throws IOException {
        Map<String, AttributeValue> item = Map.of("pk", AttributeValue.fromS("BENCH#replay"), "sk", AttributeValue.fromS("ITEM"));
        try (DynamoDbClient dynamo = dynamo("java")) {
            dynamo.putItem(r -> r.tableName(RecordingLoopbackAws.TABLE).item(item).conditionExpression("attribute_not_exists(pk)"));
            try {
                dynamo.putItem(r -> r.tableName(RecordingLoopbackAws.TABLE).item(item).conditionExpression("attribute_not_exists(pk)"));
            } catch (ConditionalCheckFailedException expected) {
                // The second claim loses, as a duplicate event's does: recorded with its 400.
            }
        }
        List<ObjectNode> calls = aws.take("java");
        Path lines = dir.resolve("calls.lines");
        Files.writeString(lines, RecordingLoopbackAws.requestLines(calls), StandardCharsets.UTF_8);
        Path event = Files.writeString(dir.resolve("event.json"), "{}", StandardCharsets.UTF_8);

        BareHandler.main(new String[] {event.toString(), lines.toString(), aws.endpoint("floor").url()});

        assertThat(calls).extracting(c -> c.path("operation").asText() + " " + c.path("status").asInt())
                .containsExactly("PutItem 200", "PutItem 400");
        assertThat(aws.take("floor")).extracting(c -> c.path("operation").asText() + " " + c.path("status").asInt())
                .containsExactly("PutItem 200", "PutItem 400");
        try (DynamoDbClient floor = dynamo("floor"); DynamoDbClient python = dynamo("python")) {
            assertThat(floor.getItem(r -> r.tableName(RecordingLoopbackAws.TABLE).key(item).consistentRead(true)).hasItem()).isTrue();
            assertThat(python.getItem(r -> r.tableName(RecordingLoopbackAws.TABLE).key(item).consistentRead(true)).hasItem())
                    .as("nothing called on the python endpoint, nothing in its table").isFalse();
        }
    }

    @Test
    void recordsACallItCannotAnswerAs501() {
        try (EcsClient ecs = EcsClient.builder()
                .endpointOverride(URI.create(aws.endpoint("java").url()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build()) {
            assertThatThrownBy(ecs::listClusters).isInstanceOfSatisfying(EcsException.class, e -> assertThat(e.statusCode()).isEqualTo(501));
        }

        assertThat(aws.take("java")).extracting(c -> c.path("service").asText() + " " + c.path("operation").asText() + " "
                + c.path("status").asInt()).containsExactly("ecs ListClusters 501");
    }

    private static DynamoDbClient dynamo(String contender) {
        return DynamoDbClient.builder()
                .endpointOverride(URI.create(aws.endpoint(contender).url()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .build();
    }
}
