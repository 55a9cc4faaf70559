package dev.gantry.slack;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The Slack request samples in {@code events/} (their sources are in {@code events/README.md}), and Slack's signing. */
final class SlackSamples {

    static final String DOCUMENTED_COMMAND = "slack-slash-command-verifying-requests-example.form";
    static final String GANTRY_COMMAND = "gantry-slack-slash-command.form";
    static final String GANTRY_APPROVE_CLICK = "gantry-slack-block-actions-approve.json";

    private SlackSamples() {}

    /** A sample's bytes as UTF-8 text, exactly as stored. */
    static String read(String name) {
        return dev.gantry.testing.Fixtures.eventText(name);
    }

    /** An interaction payload as Slack posts it: one form field, {@code payload}, holding the JSON. */
    static String interactionBody(String payloadJson) {
        return "payload=" + URLEncoder.encode(payloadJson, StandardCharsets.UTF_8);
    }

    /** Slack's v0 signature, computed independently of the verifier under test. */
    static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(String secret, long timestamp, String body) {
        return sign(secret, timestamp, body.getBytes(StandardCharsets.UTF_8));
    }

    static SlackRequestVerifier.Verified verified(String body) {
        return new SlackRequestVerifier.Verified(body);
    }
}
