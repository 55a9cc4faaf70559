package dev.gantry.fn.interactions;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * slack-interactions for the local run, on the parts it chooses, through the package-private constructors the function's
 * own tests use: the handler is the real one, only what it is built on differs from Lambda's.
 */
public final class LocalInteractionsHandlers {

    private LocalInteractionsHandlers() {}

    /**
     * slack-interactions checking requests against {@code signingSecret}, handing them to the SQS queue {@code queueUrl}
     * where {@code awsEnvironment} points, logging as that environment says.
     */
    public static RequestStreamHandler slackInteractions(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }

    /**
     * slack-interactions as Lambda runs it: the signing secret read from Secrets Manager ({@code secretArn}) and requests
     * handed to SQS ({@code queueUrl}), both where {@code awsEnvironment} points.
     */
    public static RequestStreamHandler slackInteractionsReadingSecret(Map<String, String> awsEnvironment, String secretArn, String queueUrl) {
        AckAwsEnvironment aws = AckAwsEnvironment.from(awsEnvironment);
        return new SlackInteractionsHandler(new AckSecretsManager(AckAwsJsonClient.secretsManager(aws), secretArn, Clock.systemUTC()),
                new AckSqs(AckAwsJsonClient.sqs(aws), queueUrl), AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }
}
