package dev.gantry.fn.interactions;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;
import java.util.function.Supplier;

/**
 * slack-interactions as Lambda builds it from an environment, or on parts a test chooses (its clock, its log stream, its
 * signing secret), through the package-private constructors the module's own tests use, so those stay out of its API.
 */
public final class InteractionsHandlers {

    private static final String SLACK_INTERACTIONS = "gantry-slack-interactions";

    private InteractionsHandlers() {}

    /** As Lambda builds it, from {@code environment}. */
    public static SlackInteractionsHandler fromEnvironment(Map<String, String> environment) {
        SlackInteractionsHandler.Wired wired = SlackInteractionsHandler.Wired.fromEnvironment(environment);
        return new SlackInteractionsHandler(wired.signingSecret(), wired.requests(), wired.log(), Clock.systemUTC());
    }

    /**
     * {@code slack-interactions} reading its signing secret from Secrets Manager and handing requests to SQS, both where
     * {@code awsEnvironment} points, its log lines written to {@code log}.
     */
    public static SlackInteractionsHandler fromParts(Map<String, String> awsEnvironment, String secretArn, String queueUrl,
            PrintStream log, Clock clock) {
        AckAwsEnvironment aws = AckAwsEnvironment.from(awsEnvironment);
        AckSecretsManager signingSecret = new AckSecretsManager(AckAwsJsonClient.secretsManager(aws), secretArn, clock);
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(aws), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, new AckLog(AckLog.Level.INFO, SLACK_INTERACTIONS, log, clock), clock);
    }

    /** {@code slack-interactions} checking against {@code signingSecret}, handing requests to SQS where {@code awsEnvironment} points. */
    public static SlackInteractionsHandler fromParts(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, AckLog.fromEnvironment(awsEnvironment), Clock.systemUTC());
    }

    /**
     * {@code slack-interactions} checking against {@code signingSecret}, handing requests to SQS where {@code
     * awsEnvironment} points, its log lines written to {@code log}.
     */
    public static SlackInteractionsHandler fromParts(Map<String, String> awsEnvironment, Supplier<String> signingSecret,
            String queueUrl, PrintStream log, Clock clock) {
        AckSqs requests = new AckSqs(AckAwsJsonClient.sqs(AckAwsEnvironment.from(awsEnvironment)), queueUrl);
        return new SlackInteractionsHandler(signingSecret, requests, new AckLog(AckLog.Level.INFO, SLACK_INTERACTIONS, log, clock), clock);
    }
}
