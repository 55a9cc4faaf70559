package dev.gantry.reliability.harness;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** What Slack puts in {@code X-Slack-Signature}: {@code v0=} and the hex HMAC-SHA256 of {@code v0:<timestamp>:<body>}. */
public final class SlackSignature {

    private SlackSignature() {}

    public static String of(String signingSecret, long timestamp, String body) {
        return of(signingSecret, Long.toString(timestamp), body.getBytes(StandardCharsets.UTF_8));
    }

    /** Over the body's bytes as sent, and the timestamp header as sent, whatever either holds. */
    public static String of(String signingSecret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has HmacSHA256", e);
        }
    }
}
