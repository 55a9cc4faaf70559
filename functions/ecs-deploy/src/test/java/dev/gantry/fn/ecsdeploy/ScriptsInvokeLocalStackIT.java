package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.LocalStack;
import dev.gantry.aws.ReleaseNewsJson;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The deploy function as {@code scripts/invoke} runs it, in a fresh JVM configured only by its environment, with its
 * state (releases, locks, gate records) in LocalStack's DynamoDB and its news on a FIFO queue in LocalStack's SQS.
 * LocalStack's community edition has no ECS, so ECS, and every other service the deploy path asks, is the loopback one
 * the loopback ITs use, named by {@code AWS_ENDPOINT_URL} while {@code AWS_ENDPOINT_URL_DYNAMODB} and
 * {@code AWS_ENDPOINT_URL_SQS} name LocalStack.
 */
class ScriptsInvokeLocalStackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUSH = "events/gantry-ecr-push-payments-api-1.4.0.json";
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";

    private static LoopbackAws loopback;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;
    private String table;
    private String notifyQueue;

    @BeforeAll
    static void start() throws Exception {
        if (!LocalStack.isRunning("dynamodb", "sqs")) {
            // Every test is then skipped, saying why.
            return;
        }
        // Only its ECS is used: the state lives in LocalStack.
        loopback = new LoopbackAws();
        AwsClients aws = LocalStack.clients(Map.of());
        dynamo = aws.dynamoDb();
        sqs = aws.sqs();
    }

    @AfterAll
    static void stop() throws Exception {
        if (dynamo != null) {
            dynamo.close();
            sqs.close();
        }
        if (loopback != null) {
            loopback.close();
        }
    }

    @BeforeEach
    void freshStateAndQueue() {
        LocalStack.assumeRunning("dynamodb", "sqs");
        loopback.ecs.resetRequests();
        table = LocalStack.createStateTable(dynamo, "gantry-state-it");
        notifyQueue = sqs.createQueue(r -> r.queueName(LocalStack.uniqueName("gantry-notify-it") + ".fifo")
                .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
    }

    @AfterEach
    void deleteStateAndQueue() {
        LocalStack.deleteTable(dynamo, table);
        if (notifyQueue != null) {
            sqs.deleteQueue(r -> r.queueUrl(notifyQueue));
        }
    }

    @Test
    void deploysAPushAndRecordsTheReleaseInLocalStack() throws Exception {
        Result result = InvokeScript.run(environment(), "ecs-deploy", PUSH);

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/outcomes/0/environment").asText()).isEqualTo("staging");
        assertThat(report.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(EcsWire.requests(loopback.ecs, "UpdateService")).singleElement()
                .satisfies(update -> assertThat(update.at("/taskDefinition").asText()).isEqualTo(LoopbackAws.NEW_ARN));
        assertThat(releaseItems()).singleElement().satisfies(item -> {
            assertThat(item.get("pk").s()).isEqualTo("RELEASE#payments-api#staging");
            assertThat(item.get("sk").s()).isEqualTo(DIGEST);
            assertThat(item.get("status").s()).isEqualTo("SERVICE_UPDATED");
            assertThat(item.get("taskDefinitionArn").s()).isEqualTo(LoopbackAws.NEW_ARN);
        });
        assertThat(news()).anySatisfy(told -> {
            assertThat(told).isInstanceOf(DeployStarted.class);
            assertThat(((DeployStarted) told).environment()).isEqualTo("staging");
            assertThat(((DeployStarted) told).digest().value()).isEqualTo(DIGEST);
        });
    }

    @Test
    void answersTheSamePushDeliveredAgainAsADuplicate() throws Exception {
        Result first = InvokeScript.run(environment(), "ecs-deploy", PUSH);

        Result again = InvokeScript.run(environment(), "ecs-deploy", PUSH);

        assertThat(first.exitCode()).as(first.stderr()).isZero();
        assertThat(again.exitCode()).as(again.stderr()).isZero();
        assertThat(JSON.readTree(again.stdout()).at("/outcomes/0/result").asText()).isEqualTo("DUPLICATE");
        assertThat(EcsWire.requests(loopback.ecs, "RegisterTaskDefinition")).hasSize(1);
        assertThat(EcsWire.requests(loopback.ecs, "UpdateService")).hasSize(1);
    }

    /** What the function is given, as Lambda would give it: the example configuration, the table, the queue, where AWS is. */
    private Map<String, String> environment() {
        Map<String, String> env = LocalStack.awsEnvironment();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put(DynamoDbReleaseStore.TABLE_ENV, table);
        env.put(SqsNotifier.QUEUE_URL_ENV, notifyQueue);
        env.put("AWS_ENDPOINT_URL", loopback.ecs.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", LocalStack.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", LocalStack.endpoint().toString());
        return env;
    }

    private List<Map<String, AttributeValue>> releaseItems() {
        return dynamo.scan(r -> r.tableName(table)).items().stream()
                .filter(item -> item.get("pk").s().startsWith("RELEASE#"))
                .toList();
    }

    /** The news on the notify queue, read and deleted in order. */
    private List<ReleaseNews> news() {
        List<ReleaseNews> told = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            List<Message> batch = sqs.receiveMessage(r -> r.queueUrl(notifyQueue).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
            if (batch.isEmpty()) {
                return told;
            }
            for (Message message : batch) {
                told.add(ReleaseNewsJson.read(message.body()));
                sqs.deleteMessage(r -> r.queueUrl(notifyQueue).receiptHandle(message.receiptHandle()));
            }
        }
        throw new AssertionError("the notify queue was still not empty after 20 receives");
    }
}
