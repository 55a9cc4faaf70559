package dev.gantry.reliability.slack;

import static dev.gantry.reliability.slack.SlackRequests.SIGNATURE_HEADER;
import static dev.gantry.reliability.slack.SlackRequests.SIGNING_SECRET;
import static dev.gantry.reliability.slack.SlackRequests.TIMESTAMP_HEADER;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The ways a request can fail to be one Slack signed with the current secret in the last five minutes, each applied to
 * a body that would take effect if it were accepted. Every forgery is refused by the endpoint itself, before anything
 * reads the body; {@link #refusals} names the reasons it may log (the verifier's {@code Refusal}s), or is empty when the
 * answer is 405 for a method other than POST.
 */
enum EndpointForgery {

    /** A signature nobody computed: random hex. */
    FORGED_SIGNATURE(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            headers.put(SIGNATURE_HEADER, "v0=" + hex(random, 32));
            return post(headers, body);
        }
    },
    /** The right HMAC written another way, or almost the right one. */
    MALFORMED_SIGNATURE(Set.of("BAD_SIGNATURE", "MISSING_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            String signature = headers.get(SIGNATURE_HEADER);
            String hex = signature.substring(3);
            int flipped = random.nextInt(hex.length());
            List<String> variants = List.of(signature.toUpperCase(Locale.ROOT), "v0=" + hex.toUpperCase(Locale.ROOT), "v1=" + hex, hex,
                    "v0:" + hex, signature.substring(0, signature.length() - 1), signature + "0", "v0=",
                    "v0=" + hex.substring(0, flipped) + (hex.charAt(flipped) == '0' ? '1' : '0') + hex.substring(flipped + 1),
                    "v0=" + HexFormat.of().formatHex(hex.getBytes(StandardCharsets.UTF_8)));
            headers.put(SIGNATURE_HEADER, variants.get(random.nextInt(variants.size())));
            return post(headers, body);
        }
    },
    /** A genuine signature of another request, at the same time. */
    SIGNATURE_OF_ANOTHER_REQUEST(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            String sample = SlackRequests.sample(SlackRequests.COMMAND_SAMPLE);
            String other = random.nextBoolean() || sample.equals(body) ? body + "&x=1" : sample;
            headers.put(SIGNATURE_HEADER, SlackRequests.signature(SIGNING_SECRET, headers.get(TIMESTAMP_HEADER), other));
            return post(headers, body);
        }
    },
    /** Signed as Slack signs, with a secret that is not Gantry's. */
    WRONG_SECRET(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            List<String> secrets = List.of("test-signing-secret-of-another-app", SIGNING_SECRET.toUpperCase(Locale.ROOT),
                    SIGNING_SECRET + "x", SIGNING_SECRET.substring(1), SIGNING_SECRET.replace('n', 'm'), "test-" + hex(random, 16));
            return post(SlackRequests.signedHeaders(body, secrets.get(random.nextInt(secrets.size())), now), body);
        }
    },
    /** Signed more than five minutes ago: what a captured request played again looks like. */
    STALE(Set.of("STALE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            long seconds = random.nextInt(4) == 0 ? 301 : 301 + random.nextInt((int) Duration.ofDays(30).toSeconds());
            return SlackRequests.signedEvent(body, SIGNING_SECRET, now.minusSeconds(seconds));
        }
    },
    /** Dated more than five minutes ahead. */
    FROM_THE_FUTURE(Set.of("FROM_THE_FUTURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            long seconds = random.nextInt(4) == 0 ? 301 : 301 + random.nextInt((int) Duration.ofDays(365).toSeconds());
            return SlackRequests.signedEvent(body, SIGNING_SECRET, now.plusSeconds(seconds));
        }
    },
    /** One character of the body changed after it was signed. */
    TAMPERED_BODY(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            return post(headers, oneCharacterChanged(body, random));
        }
    },
    /** The timestamp moved after signing, still within the five minutes. */
    TAMPERED_TIMESTAMP(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Instant signedAt = now.minusSeconds(random.nextInt(120));
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, signedAt);
            long moved = signedAt.getEpochSecond() + (random.nextBoolean() ? 1 : -1) * (1 + random.nextInt(120));
            headers.put(TIMESTAMP_HEADER, Long.toString(moved));
            return post(headers, body);
        }
    },
    MISSING_SIGNATURE(Set.of("MISSING_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            if (random.nextBoolean()) {
                headers.remove(SIGNATURE_HEADER);
            } else {
                headers.put(SIGNATURE_HEADER, random.nextBoolean() ? "" : " ");
            }
            return post(headers, body);
        }
    },
    MISSING_TIMESTAMP(Set.of("MISSING_TIMESTAMP")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            if (random.nextBoolean()) {
                headers.remove(TIMESTAMP_HEADER);
            } else {
                headers.put(TIMESTAMP_HEADER, "");
            }
            return post(headers, body);
        }
    },
    /** A timestamp that is not whole epoch seconds, signed as it is sent. */
    MALFORMED_TIMESTAMP(Set.of("MALFORMED_TIMESTAMP")) {
        @Override
        String forge(String body, Instant now, Random random) {
            long seconds = now.getEpochSecond();
            List<String> variants = List.of("+" + seconds, "-" + seconds, seconds + ".0", Long.toString(now.toEpochMilli()),
                    "1.7954e9", "0x" + Long.toHexString(seconds), seconds + "," + seconds, now.toString(), "NaN");
            String timestamp = variants.get(random.nextInt(variants.size()));
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            headers.put(TIMESTAMP_HEADER, timestamp);
            headers.put(SIGNATURE_HEADER, SlackRequests.signature(SIGNING_SECRET, timestamp, body));
            return post(headers, body);
        }
    },
    /** A second signature or timestamp header in other letter case, as a relay could pass on. */
    DUPLICATE_HEADER(Set.of("DUPLICATE_HEADER")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            if (random.nextBoolean()) {
                headers.put("X-Slack-Signature", "v0=" + hex(random, 32));
            } else {
                headers.put("X-Slack-Request-Timestamp", Long.toString(now.getEpochSecond() - 1));
            }
            return post(headers, body);
        }
    },
    /** The header sent twice, which the Function URL joins with a comma: the right signature and another. */
    JOINED_SIGNATURES(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            String forged = "v0=" + hex(random, 32);
            String genuine = headers.get(SIGNATURE_HEADER);
            headers.put(SIGNATURE_HEADER, random.nextBoolean() ? genuine + "," + forged : forged + "," + genuine);
            return post(headers, body);
        }
    },
    /** A body the Function URL passed on as base64, one character of it changed after signing. */
    TAMPERED_BASE64_BODY(Set.of("BAD_SIGNATURE", "MALFORMED_BODY")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            String encoded = SlackRequests.base64(body);
            // Not in the last four characters: there a changed character can differ only in padding bits, which decode alike.
            int at = random.nextInt(encoded.length() - 4);
            char replaced = encoded.charAt(at) == 'A' ? 'B' : 'A';
            return SlackRequests.event("POST", headers, encoded.substring(0, at) + replaced + encoded.substring(at + 1), true);
        }
    },
    /** A signed body flagged as base64 that is not: what a relay rewriting the event could send. */
    BODY_NOT_BASE64(Set.of("BAD_SIGNATURE", "MALFORMED_BODY")) {
        @Override
        String forge(String body, Instant now, Random random) {
            return SlackRequests.event("POST", SlackRequests.signedHeaders(body, SIGNING_SECRET, now), body, true);
        }
    },
    /** A megabyte or more after the body that was signed. */
    OVERSIZED_BODY(Set.of("BAD_SIGNATURE")) {
        @Override
        String forge(String body, Instant now, Random random) {
            Map<String, String> headers = SlackRequests.signedHeaders(body, SIGNING_SECRET, now);
            return post(headers, body + "&padding=" + "x".repeat((1 << 20) + random.nextInt(1 << 18)));
        }
    },
    /** Signed as Slack signs, but not a POST. */
    NOT_POST(Set.of()) {
        @Override
        String forge(String body, Instant now, Random random) {
            List<String> methods = List.of("GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "post", "");
            String method = methods.get(random.nextInt(methods.size()));
            return SlackRequests.event(method, SlackRequests.signedHeaders(body, SIGNING_SECRET, now), body, false);
        }
    };

    private final Set<String> refusals;

    EndpointForgery(Set<String> refusals) {
        this.refusals = refusals;
    }

    /** A Function URL event carrying {@code body} forged this way, at {@code now}. */
    abstract String forge(String body, Instant now, Random random);

    /** Whether the endpoint answered and logged as it must for this forgery. */
    boolean refusedAsExpected(ChatOpsLoopback.Delivery delivery) {
        if (refusals.isEmpty()) {
            return delivery.status() == 405 && delivery.answer().contains("only POST");
        }
        if (delivery.status() != 401 || delivery.refusalLogged() == null) {
            return false;
        }
        return refusals.stream().anyMatch(reason -> delivery.refusalLogged().startsWith("Slack request refused (" + reason + ")"));
    }

    private static String post(Map<String, String> headers, String body) {
        return SlackRequests.event("POST", headers, body, false);
    }

    private static String hex(Random random, int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private static String oneCharacterChanged(String body, Random random) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%&=+._-";
        int at = random.nextInt(body.length());
        char replacement;
        do {
            replacement = alphabet.charAt(random.nextInt(alphabet.length()));
        } while (replacement == body.charAt(at));
        return body.substring(0, at) + replacement + body.substring(at + 1);
    }
}
