package dev.gantry.slack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decides whether a request to Gantry's Slack endpoint comes from Slack, before anything parses it.
 *
 * <p>Slack signs each request with the app's signing secret: {@code X-Slack-Signature} is {@code "v0=" + hex(
 * HMAC-SHA256(secret, "v0:" + X-Slack-Request-Timestamp + ":" + raw body))}. A request is {@link Verified} when one
 * of the current signing secrets produces exactly that signature over the body's bytes, and its timestamp is within
 * {@link #MAX_CLOCK_SKEW} of the clock either way; an older one could be a captured request played again.
 *
 * <p>More than one secret can be current: while a secret is rotated, requests signed with the old and the new one are
 * both accepted, and once the old one is dropped from the list it is refused.
 *
 * <p>A {@link Refused} answer names the reason (and, for a timestamp, by how much it missed) and never the secrets or
 * the signature that was expected, so it can be logged as it is.
 *
 * <p>This uses {@code javax.crypto} rather than the Slack SDK's app backend ({@code SlackSignature.Verifier}): it runs
 * on the acknowledgement path of a cold Lambda, inside Slack's 3-second budget, and the app backend brings the SDK's
 * API client, OkHttp and the Kotlin standard library (8.3 MB of jars) for one HMAC. Measured in a fresh JVM on two
 * vCPUs (median of 15), constructing a verifier and checking one request took 66 ms with this class and 120 ms with
 * {@code slack-app-backend} 1.51.0.
 */
public final class SlackRequestVerifier {

    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
    public static final String SIGNATURE_HEADER = "X-Slack-Signature";
    public static final String TIMESTAMP_HEADER = "X-Slack-Request-Timestamp";

    private static final String VERSION = "v0";
    private static final String HMAC = "HmacSHA256";
    // Epoch seconds; the bound keeps the number far from overflow and refuses signs, spaces and fractions.
    private static final Pattern EPOCH_SECONDS = Pattern.compile("[0-9]{1,12}");

    private final List<SecretKeySpec> signingKeys;
    private final Clock clock;

    /**
     * @param signingSecrets the app's current signing secrets: one, or the new and the old while rotating; blanks
     *     are refused, surrounding whitespace (a secret stored with a trailing newline) is ignored
     * @throws IllegalArgumentException when no signing secret is given
     */
    public SlackRequestVerifier(List<String> signingSecrets, Clock clock) {
        Objects.requireNonNull(signingSecrets, "signingSecrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        Set<String> distinct = new LinkedHashSet<>();
        for (String secret : signingSecrets) {
            if (secret == null || secret.isBlank()) {
                throw new IllegalArgumentException("a Slack signing secret is empty");
            }
            distinct.add(secret.strip());
        }
        if (distinct.isEmpty()) {
            throw new IllegalArgumentException("no Slack signing secret given");
        }
        List<SecretKeySpec> keys = new ArrayList<>();
        for (String secret : distinct) {
            keys.add(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC));
        }
        this.signingKeys = List.copyOf(keys);
        // Initialising a Mac here loads the JCA provider during the function's init (and into a SnapStart
        // snapshot) instead of on the first request, which has Slack's 3 seconds to answer in.
        mac(signingKeys.get(0));
    }

    /**
     * @param headers the request's headers as the Function URL gave them; names are matched ignoring case
     * @param rawBody the body exactly as received, before any decoding or parsing; null counts as empty
     * @param isBase64Encoded the Function URL's flag: the body is base64 of the bytes Slack sent
     */
    public Verification verify(Map<String, String> headers, String rawBody, boolean isBase64Encoded) {
        Objects.requireNonNull(headers, "headers");
        HeaderValue signature = header(headers, SIGNATURE_HEADER);
        HeaderValue timestamp = header(headers, TIMESTAMP_HEADER);
        if (signature.duplicated() || timestamp.duplicated()) {
            return new Refused(Refusal.DUPLICATE_HEADER, (signature.duplicated() ? SIGNATURE_HEADER : TIMESTAMP_HEADER)
                    + " appears more than once with different letter case");
        }
        if (signature.value() == null || signature.value().isBlank()) {
            return new Refused(Refusal.MISSING_SIGNATURE, SIGNATURE_HEADER + " is missing");
        }
        if (timestamp.value() == null || timestamp.value().isBlank()) {
            return new Refused(Refusal.MISSING_TIMESTAMP, TIMESTAMP_HEADER + " is missing");
        }
        String seconds = timestamp.value().strip();
        if (!EPOCH_SECONDS.matcher(seconds).matches()) {
            return new Refused(Refusal.MALFORMED_TIMESTAMP, TIMESTAMP_HEADER + " is not whole epoch seconds");
        }
        long skew = clock.instant().getEpochSecond() - Long.parseLong(seconds);
        if (skew > MAX_CLOCK_SKEW.toSeconds()) {
            return new Refused(Refusal.STALE, "the request was signed " + skew + " s ago, more than "
                    + MAX_CLOCK_SKEW.toSeconds() + " s");
        }
        if (-skew > MAX_CLOCK_SKEW.toSeconds()) {
            return new Refused(Refusal.FROM_THE_FUTURE, "the request is dated " + -skew + " s ahead, more than "
                    + MAX_CLOCK_SKEW.toSeconds() + " s");
        }
        byte[] body;
        try {
            body = bodyBytes(rawBody, isBase64Encoded);
        } catch (IllegalArgumentException e) {
            return new Refused(Refusal.MALFORMED_BODY, "the body is flagged base64 but is not valid base64");
        }
        byte[] presented = signature.value().strip().getBytes(StandardCharsets.UTF_8);
        boolean matched = false;
        // Every key is tried, matched or not, so the time taken does not tell which secret signed.
        for (SecretKeySpec key : signingKeys) {
            matched |= MessageDigest.isEqual(expectedSignature(key, seconds, body), presented);
        }
        if (!matched) {
            return new Refused(Refusal.BAD_SIGNATURE, SIGNATURE_HEADER + " matches no current signing secret");
        }
        return new Verified(new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] bodyBytes(String rawBody, boolean isBase64Encoded) {
        String body = rawBody == null ? "" : rawBody;
        return isBase64Encoded ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] expectedSignature(SecretKeySpec key, String timestamp, byte[] body) {
        Mac mac = mac(key);
        mac.update((VERSION + ":" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
        byte[] digest = mac.doFinal(body);
        return (VERSION + "=" + HexFormat.of().formatHex(digest)).getBytes(StandardCharsets.UTF_8);
    }

    private static Mac mac(SecretKeySpec key) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            // Every Java runtime must provide HmacSHA256, so this is a broken runtime, not a bad request.
            throw new IllegalStateException(HMAC + " is not available", e);
        }
    }

    private static HeaderValue header(Map<String, String> headers, String name) {
        String found = null;
        boolean duplicated = false;
        for (Map.Entry<String, String> header : headers.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(name)) {
                duplicated |= found != null && !found.equals(header.getValue());
                found = header.getValue();
            }
        }
        return new HeaderValue(found, duplicated);
    }

    private record HeaderValue(String value, boolean duplicated) {}

    /** What {@link #verify} decided. */
    public sealed interface Verification permits Verified, Refused {

        default boolean isVerified() {
            return this instanceof Verified;
        }
    }

    /**
     * A request Slack signed. Only the verifier makes these, so code that takes one (such as {@link SlackPayloads})
     * cannot be handed a body nobody checked.
     */
    public static final class Verified implements Verification {
        private final String body;

        Verified(String body) {
            this.body = Objects.requireNonNull(body, "body");
        }

        /** The body Slack signed, decoded from base64 when it came so, as UTF-8 text. */
        public String body() {
            return body;
        }

        @Override
        public String toString() {
            return "Verified[" + body.length() + " chars]";
        }
    }

    /**
     * A request that is not Slack's, or not any more.
     *
     * @param detail a sentence for the log: the header concerned, or by how many seconds a timestamp missed
     */
    public record Refused(Refusal reason, String detail) implements Verification {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Why a request was refused. */
    public enum Refusal {
        MISSING_SIGNATURE,
        MISSING_TIMESTAMP,
        /** The same header twice, in different letter case, with different values. */
        DUPLICATE_HEADER,
        MALFORMED_TIMESTAMP,
        /** Signed more than {@link SlackRequestVerifier#MAX_CLOCK_SKEW} ago: too old to tell from a replay. */
        STALE,
        /** Dated more than {@link SlackRequestVerifier#MAX_CLOCK_SKEW} ahead of the clock. */
        FROM_THE_FUTURE,
        /** Flagged base64 by the Function URL but not base64. */
        MALFORMED_BODY,
        /** No current signing secret produces the signature: forged, tampered with, or signed with a dropped secret. */
        BAD_SIGNATURE
    }
}
