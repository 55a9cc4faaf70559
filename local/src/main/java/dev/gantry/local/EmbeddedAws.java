package dev.gantry.local;

import com.amazonaws.services.dynamodbv2.local.embedded.DynamoDBEmbedded;
import com.amazonaws.services.dynamodbv2.local.shared.access.AmazonDynamoDBLocal;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.aws.StateTable;
import dev.gantry.core.notify.Notifier;
import dev.gantry.fn.interactions.LocalInteractionsHandlers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The local run's default AWS, all in this process: DynamoDB Local holding the state table, the two queues in memory
 * (slack-interactions reaches its queue through {@link LoopbackSqs}), and the secrets held as given.
 */
final class EmbeddedAws implements LocalAws {

    static final String TABLE = "gantry-local";
    static final String REQUEST_QUEUE_URL = "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT + "/gantry-chatops-requests";
    static final String NOTIFY_QUEUE_URL = "https://sqs." + REGION + ".amazonaws.com/" + ACCOUNT + "/gantry-notify.fifo";

    private final LocalSecrets secrets;
    private final AmazonDynamoDBLocal dynamoLocal;
    private final DynamoDbClient dynamo;
    private final InMemoryQueue requests;
    private final InMemoryQueue news;
    private final LoopbackSqs sqs;
    private final Map<String, String> logEnvironment;

    /** @param logEnvironment the logging settings the functions read ({@code POWERTOOLS_LOG_LEVEL}) */
    EmbeddedAws(LocalSecrets secrets, Clock clock, Map<String, String> logEnvironment) {
        this.secrets = secrets;
        this.logEnvironment = logEnvironment;
        // true: no telemetry; a run on someone's laptop sends nothing anywhere.
        this.dynamoLocal = DynamoDBEmbedded.create(true);
        this.dynamo = dynamoLocal.dynamoDbClient();
        StateTable.createIfMissing(dynamo, TABLE);
        this.requests = new InMemoryQueue(REQUEST_QUEUE_URL, clock);
        this.news = new InMemoryQueue(NOTIFY_QUEUE_URL, clock);
        try {
            this.sqs = new LoopbackSqs(requests);
        } catch (IOException e) {
            dynamoLocal.shutdown();
            throw new UncheckedIOException("the loopback SQS endpoint could not listen", e);
        }
    }

    @Override
    public String describe() {
        return "ECS, ECR, CodeBuild and CloudWatch in memory, state in DynamoDB Local, queues in memory";
    }

    @Override
    public DynamoDbClient dynamo() {
        return dynamo;
    }

    @Override
    public String table() {
        return TABLE;
    }

    @Override
    public Notifier notifier() {
        return new QueueNotifier(news);
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
        Map<String, String> environment = new HashMap<>(logEnvironment);
        environment.put("AWS_REGION", REGION);
        // Its client signs every request as on Lambda; the loopback endpoint takes any key.
        environment.put("AWS_ACCESS_KEY_ID", "fake-local-access-key");
        environment.put("AWS_SECRET_ACCESS_KEY", "fake-local-secret-key");
        environment.put("AWS_ENDPOINT_URL_SQS", sqs.endpoint().toString());
        return LocalInteractionsHandlers.slackInteractions(environment, secrets::signingSecret, requests.url());
    }

    @Override
    public Supplier<String> botToken() {
        return secrets::botToken;
    }

    @Override
    public void close() {
        sqs.close();
        dynamoLocal.shutdown();
    }
}
