package dev.gantry.fn.chatops;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.SecretsManagerSecret;
import dev.gantry.aws.SqsQueue;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack's one way into Gantry, behind a Lambda Function URL: slash commands and button clicks. It does as little as
 * Slack's 3-second budget allows, cold start included: checks the request's signature and age, hands the verified body
 * to the worker's queue in one SendMessage, and answers. Nothing is parsed before the signature is checked, and nothing
 * is decided here; the worker authorizes and acts.
 *
 * <p>Answers: 401 for a request that is not Slack's or is too old (nothing is handed on), 405 for anything but POST,
 * 200 once the work is queued (an ephemeral "working on it" for a command, an empty body for a click), 500 when the
 * secret or the queue cannot be reached, so Slack shows the person an error instead of silence.
 *
 * <p>Powertools' logging wrapper is left out on purpose: this path is measured against Slack's budget, and the
 * wrapper's context setup buys nothing for a function that logs one line per request.
 */
public final class SlackInteractionsHandler implements RequestStreamHandler {

    static final String SIGNING_SECRET_ARN_ENV = "GANTRY_SLACK_SIGNING_SECRET_ARN";
    static final String REQUEST_QUEUE_URL_ENV = "GANTRY_CHATOPS_REQUEST_QUEUE_URL";

    /** Message attributes the worker reads without parsing the body. */
    static final String KIND = "kind";
    static final String KIND_COMMAND = "command";
    static final String KIND_INTERACTION = "interaction";
    static final String SLACK_RETRY = "slackRetryNum";

    private static final Logger LOG = LoggerFactory.getLogger(SlackInteractionsHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SlackSigningSecrets secrets;
    private final SqsQueue requests;

    /** Used by Lambda: the secret's ARN and the queue from the environment; the secret itself is read on first use. */
    public SlackInteractionsHandler() {
        this(Wired.fromEnvironment(new AwsClients(System.getenv())));
    }

    private SlackInteractionsHandler(Wired wired) {
        this(wired.signingSecret(), wired.requests(), Clock.systemUTC());
    }

    public SlackInteractionsHandler(Supplier<String> signingSecret, SqsQueue requests, Clock clock) {
        this.secrets = new SlackSigningSecrets(signingSecret, clock);
        this.requests = requests;
    }

    private record Wired(Supplier<String> signingSecret, SqsQueue requests) {
        static Wired fromEnvironment(AwsClients aws) {
            return new Wired(new SecretsManagerSecret(aws.secretsManager(), aws.required(SIGNING_SECRET_ARN_ENV)),
                    new SqsQueue(aws.sqs(), aws.required(REQUEST_QUEUE_URL_ENV)));
        }
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        JSON.writeValue(output, answer(JSON.readTree(input)));
    }

    private ObjectNode answer(JsonNode request) {
        String method = request.at("/requestContext/http/method").asText("");
        if (!"POST".equals(method)) {
            return response(405, "{\"error\":\"only POST\"}");
        }
        Map<String, String> headers = headers(request.path("headers"));
        Verification verification;
        try {
            verification = secrets.verifier().verify(headers, request.path("body").asText(""),
                    request.path("isBase64Encoded").asBoolean(false));
        } catch (RuntimeException e) {
            LOG.error("Slack request not checked: the signing secret is unavailable: {}", e.getMessage());
            return response(500, "{\"error\":\"Gantry cannot check requests right now\"}");
        }
        if (verification instanceof Refused refused) {
            LOG.warn("Slack request refused ({}): {}", refused.reason(), refused.detail());
            return response(401, "{\"error\":\"request refused\"}");
        }
        String body = ((Verified) verification).body();
        if (body.contains("ssl_check=1")) {
            return response(200, "");
        }
        String kind = body.startsWith("payload=") ? KIND_INTERACTION : KIND_COMMAND;
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put(KIND, kind);
        attributes.put(SLACK_RETRY, header(headers, "x-slack-retry-num"));
        try {
            requests.send(body, attributes);
        } catch (RuntimeException e) {
            LOG.error("Slack {} not handed to the worker: {}", kind, e.getMessage());
            return response(500, "{\"error\":\"Gantry could not take the request; try again\"}");
        }
        LOG.info("Slack {} handed to the worker", kind);
        return KIND_COMMAND.equals(kind)
                ? response(200, "{\"response_type\":\"ephemeral\",\"text\":\"Working on it…\"}")
                : response(200, "");
    }

    private static Map<String, String> headers(JsonNode headers) {
        Map<String, String> values = new LinkedHashMap<>();
        headers.fields().forEachRemaining(h -> values.put(h.getKey(), h.getValue().asText()));
        return values;
    }

    private static String header(Map<String, String> headers, String name) {
        return headers.entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase(name))
                .map(Map.Entry::getValue)
                .findFirst()
                .orElse(null);
    }

    private static ObjectNode response(int status, String body) {
        ObjectNode response = JSON.createObjectNode().put("statusCode", status);
        response.putObject("headers").put("Content-Type", "application/json");
        response.put("body", body);
        return response;
    }
}
