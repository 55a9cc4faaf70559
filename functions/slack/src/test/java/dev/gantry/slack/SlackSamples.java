package dev.gantry.slack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The request samples under {@code src/test/resources/slack/}, and Slack's signing, for tests. */
final class SlackSamples {

    static final String DOCUMENTED_COMMAND = "slash-command-verifying-requests-example.form";
    static final String GANTRY_COMMAND = "slash-command-gantry-approve.form";
    static final String GANTRY_APPROVE_CLICK = "block-actions-gantry-approve.json";

    private SlackSamples() {}

    /** A sample's bytes as UTF-8 text, exactly as stored. */
    static String read(String name) {
        try (InputStream in = SlackSamples.class.getResourceAsStream("/slack/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
