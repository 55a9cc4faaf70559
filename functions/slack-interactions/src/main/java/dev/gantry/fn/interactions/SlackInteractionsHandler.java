package dev.gantry.fn.interactions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.slack.SlackRequestVerifier.Refused;
import dev.gantry.slack.SlackRequestVerifier.Verification;
import dev.gantry.slack.SlackRequestVerifier.Verified;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Slack's one way into Gantry, behind a Lambda Function URL: slash commands and button clicks. It does as little as
 * Slack's 3-second budget allows, cold start included: checks the request's signature and age, hands the verified body
 * to the worker's queue in one SendMessage, and answers. Nothing is parsed before the signature is checked, and nothing
 * is decided here; the worker authorizes and acts.
 *
 * <p>Answers: 400 for an event that is not a Function URL request, 401 for a request that is not Slack's or is too old
 * (nothing is handed on), 405 for anything but POST, 200 once the work is queued (an ephemeral "working on it" for a
 * command, an empty body for a click), 500 when the secret or the queue cannot be reached, so Slack shows the person an
 * error instead of silence.
 *
 * <p>What this path is made of is chosen for the cold start and measured, each where it is done: AWS through the SDK's
 * signer rather than its service clients ({@link AckAwsJsonClient}), the event read with Jackson's streaming parser
 * rather than a tree ({@link AckFunctionUrl}), and logs through {@link AckLog} rather than Log4j and Powertools' wrapper.
 */
public final class SlackInteractionsHandler implements RequestStreamHandler {

    static final String SIGNING_SECRET_ARN_ENV = "GANTRY_SLACK_SIGNING_SECRET_ARN";
    static final String REQUEST_QUEUE_URL_ENV = "GANTRY_CHATOPS_REQUEST_QUEUE_URL";

    /** Message attributes the worker reads without parsing the body. */
    static final String KIND = "kind";
    static final String KIND_COMMAND = "command";
    static final String KIND_INTERACTION = "interaction";
    static final String SLACK_RETRY = "slackRetryNum";

    private final SlackSigningSecrets secrets;
    private final AckSqs requests;
    private final AckLog log;

    /** Used by Lambda: the secret's ARN and the queue from the environment; the secret itself is read on first use. */
    public SlackInteractionsHandler() {
        this(Wired.fromEnvironment(System.getenv()));
    }

    private SlackInteractionsHandler(Wired wired) {
        this(wired.signingSecret(), wired.requests(), wired.log(), Clock.systemUTC());
        wired.priming().register();
    }

    SlackInteractionsHandler(Supplier<String> signingSecret, AckSqs requests, AckLog log, Clock clock) {
        this.secrets = new SlackSigningSecrets(signingSecret, clock);
        this.requests = requests;
        this.log = log;
    }

    record Wired(Supplier<String> signingSecret, AckSqs requests, AckLog log, SnapStartPriming priming) {
        static Wired fromEnvironment(Map<String, String> environment) {
            AckLog log = AckLog.fromEnvironment(environment);
            AckLog.leaveSdkLoggingOff();
            AckAwsEnvironment aws = AckAwsEnvironment.from(environment);
            return new Wired(
                    new AckSecretsManager(AckAwsJsonClient.secretsManager(aws),
                            AckAwsEnvironment.required(environment, SIGNING_SECRET_ARN_ENV), Clock.systemUTC()),
                    new AckSqs(AckAwsJsonClient.sqs(aws), AckAwsEnvironment.required(environment, REQUEST_QUEUE_URL_ENV)),
                    log,
                    AckPriming.of(aws, log, Clock.systemUTC()));
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        AckFunctionUrl.Request request;
        try {
            request = AckFunctionUrl.read(input);
        } catch (IOException e) {
            // Not a Function URL event at all: the caller gets an answer it can act on instead of Lambda's 502.
            log.warn(context, "request refused: not a Function URL event: " + e.getMessage());
            AckFunctionUrl.write(output, new AckFunctionUrl.Response(400, "{\"error\":\"not a Function URL request\"}"));
            return;
        }
        AckFunctionUrl.write(output, answer(request, context));
    }

    private AckFunctionUrl.Response answer(AckFunctionUrl.Request request, Context context) {
        if (!"POST".equals(request.method())) {
            return new AckFunctionUrl.Response(405, "{\"error\":\"only POST\"}");
        }
        Verification verification;
        try {
            verification = secrets.verifier().verify(request.headers(), request.body(), request.isBase64Encoded());
        } catch (RuntimeException e) {
            log.error(context, "Slack request not checked: the signing secret is unavailable: " + e.getMessage());
            return new AckFunctionUrl.Response(500, "{\"error\":\"Gantry cannot check requests right now\"}");
        }
        if (verification instanceof Refused refused) {
            log.warn(context, "Slack request refused (" + refused.reason() + "): " + refused.detail());
            return new AckFunctionUrl.Response(401, "{\"error\":\"request refused\"}");
        }
        String body = ((Verified) verification).body();
        if (body.contains("ssl_check=1")) {
            return new AckFunctionUrl.Response(200, "");
        }
        String kind = body.startsWith("payload=") ? KIND_INTERACTION : KIND_COMMAND;
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(KIND, kind);
        attributes.put(SLACK_RETRY, request.header("x-slack-retry-num"));
        try {
            requests.send(body, attributes);
        } catch (RuntimeException e) {
            log.error(context, "Slack " + kind + " not handed to the worker: " + e.getMessage());
            return new AckFunctionUrl.Response(500, "{\"error\":\"Gantry could not take the request; try again\"}");
        }
        log.info(context, "Slack " + kind + " handed to the worker");
        return KIND_COMMAND.equals(kind)
                ? new AckFunctionUrl.Response(200, "{\"response_type\":\"ephemeral\",\"text\":\"Working on it…\"}")
                : new AckFunctionUrl.Response(200, "");
    }
}
