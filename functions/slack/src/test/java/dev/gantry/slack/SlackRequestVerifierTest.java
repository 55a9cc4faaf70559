package dev.gantry.slack;

import static dev.gantry.slack.SlackSamples.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.slack.SlackRequestVerifier.Refusal;
import dev.gantry.slack.SlackRequestVerifier.Refused;
import dev.gantry.slack.SlackRequestVerifier.Verification;
import dev.gantry.slack.SlackRequestVerifier.Verified;
import dev.gantry.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SlackRequestVerifierTest {

    private static final String SECRET = "test-signing-secret-not-real";
    private static final String NEXT_SECRET = "test-signing-secret-rotated-not-real";
    private static final String OTHER_SECRET = "test-signing-secret-of-someone-else";
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final String body = SlackSamples.read(SlackSamples.GANTRY_COMMAND);

    @Test
    void acceptsSlacksDocumentedExample() {
        // given Slack's example from "Verifying requests from Slack", 30 s after it was signed
        String documentedBody = SlackSamples.read(SlackSamples.DOCUMENTED_COMMAND);
        MutableClock then = new MutableClock(Instant.ofEpochSecond(1531420618L + 30));
        SlackRequestVerifier verifier = new SlackRequestVerifier(List.of("8f742231b10e8888abcd99yyyzzz85a5"), then);

        // when
        Verification verification = verifier.verify(Map.of(
                "X-Slack-Request-Timestamp", "1531420618",
                "X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
                documentedBody, false);

        // then
        assertThat(verification).isInstanceOf(Verified.class);
        assertThat(((Verified) verification).body()).isEqualTo(documentedBody);
    }

    @Test
    void acceptsARequestSignedWithTheSigningSecret() {
        Verification verification = verifier(SECRET).verify(signedHeaders(SECRET, NOW, body), body, false);

        assertThat(verification.isVerified()).isTrue();
        assertThat(((Verified) verification).body()).isEqualTo(body);
    }

    @Test
    void refusesASignatureMadeWithAnotherSecret() {
        Verification verification = verifier(SECRET).verify(signedHeaders(OTHER_SECRET, NOW, body), body, false);

        assertRefused(verification, Refusal.BAD_SIGNATURE);
    }

    @Test
    void refusesABodyChangedByOneByteAfterSigning() {
        // given a signed body whose "prod" became "prot" on the way
        Map<String, String> headers = signedHeaders(SECRET, NOW, body);
        String tampered = body.replace("payments-api+prod", "payments-api+prot");
        assertThat(tampered).hasSameSizeAs(body).isNotEqualTo(body);

        // when / then
        assertRefused(verifier(SECRET).verify(headers, tampered, false), Refusal.BAD_SIGNATURE);
    }

    @Test
    void refusesARequestSignedSixMinutesAgo() {
        Verification verification = verifier(SECRET).verify(
                signedHeaders(SECRET, NOW.minus(Duration.ofMinutes(6)), body), body, false);

        assertRefused(verification, Refusal.STALE);
        assertThat(((Refused) verification).detail()).contains("360 s ago");
    }

    @Test
    void refusesARequestDatedSixMinutesAhead() {
        Verification verification = verifier(SECRET).verify(
                signedHeaders(SECRET, NOW.plus(Duration.ofMinutes(6)), body), body, false);

        assertRefused(verification, Refusal.FROM_THE_FUTURE);
    }

    @Test
    void acceptsARequestExactlyFiveMinutesOldOrAhead() {
        SlackRequestVerifier verifier = verifier(SECRET);

        assertThat(verifier.verify(signedHeaders(SECRET, NOW.minus(Duration.ofMinutes(5)), body), body, false)
                .isVerified()).isTrue();
        assertThat(verifier.verify(signedHeaders(SECRET, NOW.plus(Duration.ofMinutes(5)), body), body, false)
                .isVerified()).isTrue();
    }

    @Test
    void refusesTheSameRequestPlayedAgainLater() {
        // given a request that was accepted when it arrived
        SlackRequestVerifier verifier = verifier(SECRET);
        Map<String, String> headers = signedHeaders(SECRET, NOW, body);
        assertThat(verifier.verify(headers, body, false).isVerified()).isTrue();

        // when someone sends it again, unchanged, six minutes later
        clock.advance(Duration.ofMinutes(6));

        // then
        assertRefused(verifier.verify(headers, body, false), Refusal.STALE);
    }

    @Test
    void refusesAnOldRequestReplayedWithAFreshTimestamp() {
        // given a request captured six minutes ago, its timestamp header replaced by the current time
        Map<String, String> headers = new LinkedHashMap<>(signedHeaders(SECRET, NOW.minus(Duration.ofMinutes(6)), body));
        headers.put("X-Slack-Request-Timestamp", Long.toString(NOW.getEpochSecond()));

        // when / then: the signature covers the timestamp
        assertRefused(verifier(SECRET).verify(headers, body, false), Refusal.BAD_SIGNATURE);
    }

    @Test
    void acceptsTheOldAndTheNewSecretWhileRotating() {
        SlackRequestVerifier rotating = verifier(NEXT_SECRET, SECRET);

        assertThat(rotating.verify(signedHeaders(SECRET, NOW, body), body, false).isVerified()).isTrue();
        assertThat(rotating.verify(signedHeaders(NEXT_SECRET, NOW, body), body, false).isVerified()).isTrue();
        assertRefused(rotating.verify(signedHeaders(OTHER_SECRET, NOW, body), body, false), Refusal.BAD_SIGNATURE);
    }

    @Test
    void refusesTheOldSecretOnceTheRotationIsDone() {
        SlackRequestVerifier rotated = verifier(NEXT_SECRET);

        assertRefused(rotated.verify(signedHeaders(SECRET, NOW, body), body, false), Refusal.BAD_SIGNATURE);
        assertThat(rotated.verify(signedHeaders(NEXT_SECRET, NOW, body), body, false).isVerified()).isTrue();
    }

    @Test
    void verifiesTheDecodedBytesOfABase64Body() {
        // given a body with non-ASCII text, as a Function URL hands it over base64-encoded
        byte[] bytes = "text=d\u00e9ploie+payments-api&user_id=U0ALICE01".getBytes(StandardCharsets.UTF_8);
        Map<String, String> headers = Map.of(
                "x-slack-request-timestamp", Long.toString(NOW.getEpochSecond()),
                "x-slack-signature", sign(SECRET, NOW.getEpochSecond(), bytes));
        String base64 = Base64.getEncoder().encodeToString(bytes);

        // when
        Verification verification = verifier(SECRET).verify(headers, base64, true);

        // then
        assertThat(verification.isVerified()).isTrue();
        assertThat(((Verified) verification).body()).isEqualTo("text=d\u00e9ploie+payments-api&user_id=U0ALICE01");
    }

    @Test
    void refusesABodyFlaggedBase64ThatIsNot() {
        Verification verification = verifier(SECRET).verify(signedHeaders(SECRET, NOW, body), "not base64 at all!", true);

        assertRefused(verification, Refusal.MALFORMED_BODY);
    }

    @Test
    void refusesTheBase64TextItselfWhenTheFlagSaysItIsEncoded() {
        // Signing the encoded text instead of the bytes it stands for is not what Slack signed.
        String base64 = Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8));

        assertRefused(verifier(SECRET).verify(signedHeaders(SECRET, NOW, base64), base64, true), Refusal.BAD_SIGNATURE);
    }

    @ParameterizedTest
    @CsvSource({
        "X-Slack-Signature, X-Slack-Request-Timestamp",
        "x-slack-signature, x-slack-request-timestamp",
        "X-SLACK-SIGNATURE, X-SLACK-REQUEST-TIMESTAMP",
        "x-Slack-signaTURE, X-slack-REQUEST-timestamp"})
    void matchesHeaderNamesIgnoringCase(String signatureHeader, String timestampHeader) {
        Map<String, String> headers = Map.of(
                signatureHeader, sign(SECRET, NOW.getEpochSecond(), body),
                timestampHeader, Long.toString(NOW.getEpochSecond()));

        assertThat(verifier(SECRET).verify(headers, body, false).isVerified()).isTrue();
    }

    @Test
    void refusesAMissingSignature() {
        Map<String, String> headers = Map.of("X-Slack-Request-Timestamp", Long.toString(NOW.getEpochSecond()));

        assertRefused(verifier(SECRET).verify(headers, body, false), Refusal.MISSING_SIGNATURE);
    }

    @Test
    void refusesAMissingTimestamp() {
        Map<String, String> headers = Map.of("X-Slack-Signature", sign(SECRET, NOW.getEpochSecond(), body));

        assertRefused(verifier(SECRET).verify(headers, body, false), Refusal.MISSING_TIMESTAMP);
    }

    @Test
    void refusesARequestWithoutHeaders() {
        assertRefused(verifier(SECRET).verify(Map.of(), body, false), Refusal.MISSING_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "-1763892000", "1763892000.5", "+1763892000", "99999999999999999999"})
    void refusesATimestampThatIsNotWholeEpochSeconds(String timestamp) {
        Map<String, String> headers = Map.of(
                "X-Slack-Request-Timestamp", timestamp,
                "X-Slack-Signature", "v0=" + "0".repeat(64));

        assertRefused(verifier(SECRET).verify(headers, body, false), Refusal.MALFORMED_TIMESTAMP);
    }

    @Test
    void refusesTheSameHeaderTwiceWithDifferentValues() {
        Map<String, String> headers = new LinkedHashMap<>(signedHeaders(SECRET, NOW, body));
        headers.put("x-slack-signature", "v0=" + "0".repeat(64));

        assertRefused(verifier(SECRET).verify(headers, body, false), Refusal.DUPLICATE_HEADER);
    }

    @Test
    void aRefusalNamesNeitherTheSecretNorTheExpectedSignature() {
        // given a request signed with another secret
        String expected = sign(SECRET, NOW.getEpochSecond(), body);

        // when
        Verification verification = verifier(SECRET).verify(signedHeaders(OTHER_SECRET, NOW, body), body, false);

        // then
        assertRefused(verification, Refusal.BAD_SIGNATURE);
        assertThat(verification.toString()).doesNotContain(SECRET).doesNotContain(expected)
                .doesNotContain(expected.substring(3, 19));
    }

    @Test
    void ignoresWhitespaceAroundAStoredSecret() {
        Verification verification = verifier(SECRET + "\n").verify(signedHeaders(SECRET, NOW, body), body, false);

        assertThat(verification.isVerified()).isTrue();
    }

    @Test
    void needsAtLeastOneSigningSecret() {
        assertThatThrownBy(() -> new SlackRequestVerifier(List.of(), clock))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SlackRequestVerifier(List.of(" "), clock))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private SlackRequestVerifier verifier(String... secrets) {
        return new SlackRequestVerifier(List.of(secrets), clock);
    }

    private static Map<String, String> signedHeaders(String secret, Instant signedAt, String body) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Slack-Request-Timestamp", Long.toString(signedAt.getEpochSecond()));
        headers.put("X-Slack-Signature", sign(secret, signedAt.getEpochSecond(), body));
        return headers;
    }

    private static void assertRefused(Verification verification, Refusal reason) {
        assertThat(verification).isInstanceOf(Refused.class);
        assertThat(((Refused) verification).reason()).isEqualTo(reason);
    }
}
