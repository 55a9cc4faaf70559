package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.slack.SlackRequestVerifier;
import dev.gantry.slack.SlackRequestVerifier.Verified;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * What slack-interactions is primed with before a SnapStart snapshot: its acknowledgement path end to end except the
 * two calls, with no network. A built-in Slack command is signed with a made-up signing secret, wrapped in a Function
 * URL event, read, verified and answered; the two AWS requests are signed, not sent, with made-up credentials. Neither
 * the real signing secret nor the function's credentials are read: one would be in the snapshot, and resolving the
 * other is a network call.
 */
final class AckPriming {

    /** Obviously not a signing secret: the verifier is primed with it, never with the stored one. */
    static final String SIGNING_SECRET = "snapstart-priming-not-a-signing-secret";
    /** Stored as the rotation form, so its JSON reading is primed too. */
    static final String STORED_SECRET = "{\"signingSecret\":\"" + SIGNING_SECRET + "\",\"previousSigningSecret\":\"" + SIGNING_SECRET
            + "-previous\"}";
    static final String COMMAND = "team_id=T0PRIMING&api_app_id=A0PRIMING&user_id=U0PRIMING&user_name=priming&command=%2Fgantry"
            + "&text=status&response_url=https%3A%2F%2Fhooks.slack.test%2Fpriming&trigger_id=0.0.priming&channel_id=C0PRIMING";

    private static final AwsCredentialsIdentity NOT_CREDENTIALS =
            AwsCredentialsIdentity.create("SNAPSTART-PRIMING-NOT-A-KEY", "snapstart-priming-not-a-secret-key");
    private static final JsonFactory JSON = new JsonFactory();

    private AckPriming() {}

    /** @param aws where the two calls go; only its region and endpoints are used */
    static SnapStartPriming of(AckAwsEnvironment aws, AckLog log, Clock clock) {
        AckAwsEnvironment notCredentialed = new AckAwsEnvironment(aws.region(), () -> NOT_CREDENTIALS, aws.secretsManagerEndpoint(),
                aws.sqsEndpoint());
        return SnapStartPriming.builder()
                .log(logTo(log))
                .step("read, verify and answer a signed Slack command", () -> acknowledge(clock))
                .step("sign GetSecretValue and SendMessage with SigV4", () -> {
                    AckAwsJsonClient.secretsManager(notCredentialed).sign("GetSecretValue",
                            "{\"SecretId\":\"snapstart-priming\"}".getBytes(StandardCharsets.UTF_8));
                    AckAwsJsonClient.sqs(notCredentialed).sign("SendMessage", sendMessage());
                })
                .step("load the TLS context the calls are made over", () -> {
                    SSLContext.getDefault();
                    HttpsURLConnection.getDefaultSSLSocketFactory();
                })
                .build();
    }

    private static void acknowledge(Clock clock) throws IOException {
        long timestamp = clock.instant().getEpochSecond();
        AckFunctionUrl.Request request = AckFunctionUrl.read(new ByteArrayInputStream(functionUrlEvent(timestamp)));
        SlackRequestVerifier verifier = new SlackSigningSecrets(() -> STORED_SECRET, clock).verifier();
        if (!(verifier.verify(request.headers(), request.body(), request.isBase64Encoded()) instanceof Verified)) {
            throw new IllegalStateException("the built-in command did not verify; the verifier is primed on the refusal path only");
        }
        AckFunctionUrl.write(OutputStream.nullOutputStream(),
                new AckFunctionUrl.Response(200, "{\"response_type\":\"ephemeral\",\"text\":\"Working on it…\"}"));
    }

    /** The Function URL event of {@link #COMMAND}, base64 as the Function URL passes a form body, signed at {@code timestamp}. */
    private static byte[] functionUrlEvent(long timestamp) throws IOException {
        StringWriter event = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(event)) {
            json.writeStartObject();
            json.writeStringField("version", "2.0");
            json.writeObjectFieldStart("headers");
            json.writeStringField("content-type", "application/x-www-form-urlencoded");
            json.writeStringField("x-slack-request-timestamp", Long.toString(timestamp));
            json.writeStringField("x-slack-signature", slackSignature(timestamp, COMMAND));
            json.writeEndObject();
            json.writeObjectFieldStart("requestContext");
            json.writeObjectFieldStart("http");
            json.writeStringField("method", "POST");
            json.writeEndObject();
            json.writeEndObject();
            json.writeStringField("body", Base64.getEncoder().encodeToString(COMMAND.getBytes(StandardCharsets.UTF_8)));
            json.writeBooleanField("isBase64Encoded", true);
            json.writeEndObject();
        }
        return event.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Slack's v0 signature, as Slack computes it, so the verifier takes its accepting path. */
    private static String slackSignature(long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SIGNING_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** A SendMessage request as the queue hands a command on, and the digests the answer is checked against. */
    private static byte[] sendMessage() throws IOException {
        AckSqs.md5(COMMAND.getBytes(StandardCharsets.UTF_8));
        AckSqs.attributesMd5(new TreeMap<>(Map.of(SlackInteractionsHandler.KIND, SlackInteractionsHandler.KIND_COMMAND)));
        StringWriter request = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(request)) {
            json.writeStartObject();
            json.writeStringField("QueueUrl", "https://sqs.invalid/000000000000/snapstart-priming");
            json.writeStringField("MessageBody", COMMAND);
            json.writeEndObject();
        }
        return request.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static SnapStartPriming.Log logTo(AckLog log) {
        return new SnapStartPriming.Log() {
            @Override
            public void stepFailed(String step, Throwable cause) {
                log.warn(null, "SnapStart priming step '" + step + "' failed; the snapshot is taken without it: " + cause);
            }

            @Override
            public void stepSkipped(String step) {
                log.warn(null, "SnapStart priming step '" + step + "' skipped: priming ran out of time");
            }

            @Override
            public void done(String summary) {
                log.info(null, summary);
            }
        };
    }
}
