package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.SecretsManagerSecret;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.SqsQueue;
import dev.gantry.aws.StateTable;
import dev.gantry.core.notify.Notifier;
import dev.gantry.fn.interactions.LocalInteractionsHandlers;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The local run's AWS in a running LocalStack, for the services its community edition offers and Gantry uses there:
 * the state table in DynamoDB, the request and notify queues in SQS, the Slack secrets in Secrets Manager, each reached
 * by the real adapters built from {@code AWS_ENDPOINT_URL} as the functions build them on Lambda. ECS, ECR and CodeBuild
 * (not in the community edition) and CloudWatch alarms stay in memory. Everything is created under names unique to the
 * run, and deleted when it ends.
 */
final class LocalStackAws implements LocalAws {

    /** LocalStack's names of the services the run needs from it. */
    static final List<String> SERVICES = List.of("dynamodb", "sqs", "secretsmanager");
    static final String DEFAULT_ENDPOINT = "http://localhost:4566";
    static final String HOW_TO_START = "start LocalStack (`localstack start -d`, or `docker run --rm -d -p 4566:4566 localstack/localstack`);"
            + " LOCALSTACK_ENDPOINT or --localstack=URL names one elsewhere";
    /** LocalStack's own default region, where {@code awslocal} looks unless told otherwise. */
    static final String DEFAULT_REGION = "us-east-1";
    private static final Set<String> UP = Set.of("available", "running");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final Map<String, String> environment;
    private final AwsClients aws;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final SecretsManagerClient secretsManager;
    private final String table;
    private final SqsLocalQueue requests;
    private final SqsLocalQueue news;
    private final String signingSecretArn;
    private final String botTokenArn;
    private final PrintStream problems;

    /**
     * Creates the run's table, queues and secrets in the LocalStack at {@code endpoint}.
     *
     * @throws LocalStackUnavailableException when it does not answer, or lacks a service the run needs
     */
    LocalStackAws(URI endpoint, String region, LocalSecrets secrets, Map<String, String> logEnvironment, PrintStream problems) {
        this.endpoint = endpoint;
        this.problems = problems;
        requireRunning(endpoint);
        Map<String, String> settings = new HashMap<>(logEnvironment);
        settings.put("AWS_ENDPOINT_URL", endpoint.toString());
        settings.put("AWS_REGION", region);
        // LocalStack takes any key; these say they are not real.
        settings.put("AWS_ACCESS_KEY_ID", "test");
        settings.put("AWS_SECRET_ACCESS_KEY", "test");
        this.environment = Map.copyOf(settings);
        this.aws = new AwsClients(environment);
        this.dynamo = aws.dynamoDb();
        this.sqs = aws.sqs();
        this.secretsManager = aws.secretsManager();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Runnable> undo = new ArrayList<>();
        try {
            this.table = "gantry-local-" + run;
            StateTable.createIfMissing(dynamo, table);
            undo.add(() -> dynamo.deleteTable(r -> r.tableName(table)));
            dynamo.waiter().waitUntilTableExists(r -> r.tableName(table));
            String requestsUrl = sqs.createQueue(r -> r.queueName("gantry-local-" + run + "-requests")).queueUrl();
            undo.add(() -> sqs.deleteQueue(r -> r.queueUrl(requestsUrl)));
            String newsUrl = sqs.createQueue(r -> r.queueName("gantry-local-" + run + "-notify.fifo")
                    .attributes(Map.of(QueueAttributeName.FIFO_QUEUE, "true"))).queueUrl();
            undo.add(() -> sqs.deleteQueue(r -> r.queueUrl(newsUrl)));
            this.requests = new SqsLocalQueue(sqs, requestsUrl);
            this.news = new SqsLocalQueue(sqs, newsUrl);
            this.signingSecretArn = secretsManager.createSecret(r -> r.name("gantry-local/" + run + "/slack-signing-secret")
                    .secretString(secrets.signingSecret())).arn();
            undo.add(() -> deleteSecret(signingSecretArn));
            this.botTokenArn = secretsManager.createSecret(r -> r.name("gantry-local/" + run + "/slack-bot-token")
                    .secretString(secrets.botToken())).arn();
        } catch (SdkException e) {
            undo.reversed().forEach(this::quietly);
            throw new LocalStackUnavailableException("LocalStack at " + endpoint + " refused to create the run's table, queues or secrets: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String describe() {
        return "state, queues and secrets in LocalStack at " + endpoint + " (DynamoDB table " + table + ", SQS, Secrets Manager);"
                + " ECS, ECR, CodeBuild and CloudWatch in memory";
    }

    @Override
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    public Notifier notifier() {
        return new SqsNotifier(new SqsQueue(sqs, news.url()));
    }

    @Override
    public LocalQueue requestQueue() {
        return requests;
    }

    @Override
    public LocalQueue notifyQueue() {
        return news;
    }

    @Override
    public RequestStreamHandler slackInteractions() {
        return LocalInteractionsHandlers.slackInteractionsReadingSecret(environment, signingSecretArn, requests.url());
    }

    @Override
    public Supplier<String> botToken() {
        return new SecretsManagerSecret(secretsManager, botTokenArn);
    }

    /** The settings a function gets here: LocalStack's address, the region and the keys it takes. */
    Map<String, String> environment() {
        return environment;
    }

    @Override
    public void close() {
        quietly(() -> deleteSecret(botTokenArn));
        quietly(() -> deleteSecret(signingSecretArn));
        quietly(() -> sqs.deleteQueue(r -> r.queueUrl(news.url())));
        quietly(() -> sqs.deleteQueue(r -> r.queueUrl(requests.url())));
        quietly(() -> dynamo.deleteTable(r -> r.tableName(table)));
    }

    private void deleteSecret(String arn) {
        secretsManager.deleteSecret(r -> r.secretId(arn).forceDeleteWithoutRecovery(true));
    }

    private void quietly(Runnable cleanUp) {
        try {
            cleanUp.run();
        } catch (SdkException e) {
            problems.println("local run: could not delete a resource the run created in LocalStack: " + e.getMessage());
        }
    }

    /**
     * Asks LocalStack's health endpoint whether it runs and offers {@link #SERVICES}.
     *
     * @throws LocalStackUnavailableException naming what is missing and how to start LocalStack
     */
    static void requireRunning(URI endpoint) {
        URI health = URI.create(endpoint.toString().replaceAll("/+$", "") + "/_localstack/health");
        HttpResponse<String> answer;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()) {
            answer = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new LocalStackUnavailableException("LocalStack is not reachable at " + endpoint + " (" + e + "): " + HOW_TO_START, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LocalStackUnavailableException("interrupted while asking " + health + " whether LocalStack runs", e);
        }
        JsonNode offered;
        try {
            offered = answer.statusCode() == 200 ? JSON.readTree(answer.body()).path("services") : null;
        } catch (IOException e) {
            offered = null;
        }
        if (offered == null) {
            throw new LocalStackUnavailableException(health + " answered HTTP " + answer.statusCode() + ", not LocalStack's health: "
                    + HOW_TO_START, null);
        }
        List<String> missing = new ArrayList<>();
        for (String service : SERVICES) {
            String status = offered.path(service).asText("absent");
            if (!UP.contains(status)) {
                missing.add(service + " (" + status + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new LocalStackUnavailableException("the LocalStack at " + endpoint + " does not offer " + String.join(", ", missing)
                    + "; start one with those services enabled", null);
        }
    }

    /** LocalStack cannot be used: not running, missing a service, or refusing what the run creates. */
    static final class LocalStackUnavailableException extends RuntimeException {
        LocalStackUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** An SQS queue in LocalStack, read as Lambda's event source mapping reads one. */
    static final class SqsLocalQueue implements LocalQueue {

        private final SqsClient sqs;
        private final String url;

        SqsLocalQueue(SqsClient sqs, String url) {
            this.sqs = sqs;
            this.url = url;
        }

        @Override
        public String url() {
            return url;
        }

        @Override
        public boolean fifo() {
            return url.endsWith(".fifo");
        }

        @Override
        public List<Message> receive(int max) {
            return sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(max).waitTimeSeconds(1)
                            .messageSystemAttributeNames(MessageSystemAttributeName.ALL).messageAttributeNames("All"))
                    .messages().stream()
                    .map(m -> {
                        Map<String, String> messageAttributes = new LinkedHashMap<>();
                        m.messageAttributes().forEach((name, value) -> messageAttributes.put(name, value.stringValue()));
                        return new Message(m.messageId(), m.receiptHandle(), m.body(), m.attributesAsStrings(), messageAttributes);
                    })
                    .toList();
        }

        @Override
        public void delete(Message message) {
            sqs.deleteMessage(r -> r.queueUrl(url).receiptHandle(message.receiptHandle()));
        }

        @Override
        public void retryLater(Message message) {
            sqs.changeMessageVisibility(r -> r.queueUrl(url).receiptHandle(message.receiptHandle())
                    .visibilityTimeout((int) InMemoryQueue.RETRY_AFTER.toSeconds()));
        }

        @Override
        public boolean drained() {
            Map<QueueAttributeName, String> counts = sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
                    .attributes();
            return "0".equals(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                    && "0".equals(counts.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
        }
    }
}
