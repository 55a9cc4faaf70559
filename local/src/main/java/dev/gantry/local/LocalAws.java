package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.core.notify.Notifier;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What the local run's functions keep and pass on beside the in-memory ECS, ECR and CodeBuild: the state table, the
 * ChatOps request queue and the notify queue, and the Slack secrets. Embedded ({@link EmbeddedAws}) or in LocalStack
 * ({@link LocalStackAws}).
 */
interface LocalAws extends AutoCloseable {

    /** The account and region the run's AWS stands for; the sample events name the same. */
    String ACCOUNT = "111111111111";
    String REGION = "eu-west-1";

    /** One line for the run's header: where state, queues and secrets are. */
    String describe();

    DynamoDbClient dynamo();

    String table();

    /** Where Gantry's functions tell their news: the notify queue. */
    Notifier notifier();

    /** What slack-interactions hands Slack's requests to; chatops-worker is triggered from it. */
    LocalQueue requestQueue();

    /** The FIFO queue of news; chatops-notify is triggered from it. */
    LocalQueue notifyQueue();

    /** slack-interactions, reading the signing secret and sending to {@link #requestQueue()} as this AWS offers them. */
    RequestStreamHandler slackInteractions();

    /** The bot token, as the ChatOps functions read it. */
    Supplier<String> botToken();

    @Override
    void close();
}
