package dev.gantry.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageDigestTest {

    // From events/gantry-ecr-push-payments-api-1.4.0.json.
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";

    @Test
    void acceptsSha256WithSixtyFourLowerCaseHexDigits() {
        ImageDigest digest = ImageDigest.parse(DIGEST);

        assertThat(digest.value()).isEqualTo(DIGEST);
        assertThat(digest).hasToString(DIGEST).isEqualTo(new ImageDigest(DIGEST));
    }

    @Test
    void rejectsTheAwsSampleDigestCountingItsDigits() throws IOException {
        // The published ECR sample carries 60 hex digits; ECS would refuse it in repository@digest.
        String sample = new ObjectMapper().readTree(Path.of("../../events/ecr-image-action-push-success.json").toFile())
                .path("detail").path("image-digest").asText();
        assertThat(sample).isEqualTo("sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234");

        assertThatThrownBy(() -> ImageDigest.parse(sample))
                .isInstanceOf(ImageDigest.InvalidDigestException.class)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("image digest 'sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234' must be "
                        + "'sha256:' followed by 64 lower-case hex digits (found 60 characters)");
    }

    @Test
    void rejectsUpperCaseHex() {
        String upper = DIGEST.toUpperCase().replace("SHA256:", "sha256:");

        assertThatThrownBy(() -> ImageDigest.parse(upper))
                .isInstanceOf(ImageDigest.InvalidDigestException.class)
                .hasMessage("image digest '" + upper + "' must be 'sha256:' followed by 64 lower-case hex digits (found 64 characters)");
    }

    @Test
    void rejectsDigestWithoutItsAlgorithmPrefix() {
        String bare = DIGEST.substring("sha256:".length());

        assertThatThrownBy(() -> ImageDigest.parse(bare))
                .isInstanceOf(ImageDigest.InvalidDigestException.class)
                .hasMessage("image digest '" + bare + "' does not start with 'sha256:'");
    }

    @Test
    void rejectsAnotherAlgorithm() {
        String sha512 = DIGEST.replace("sha256:", "sha512:");

        assertThatThrownBy(() -> ImageDigest.parse(sha512))
                .isInstanceOf(ImageDigest.InvalidDigestException.class)
                .hasMessage("image digest '" + sha512 + "' does not start with 'sha256:'");
    }

    @Test
    void rejectsMissingDigest() {
        assertThatThrownBy(() -> ImageDigest.parse(null))
                .isInstanceOf(ImageDigest.InvalidDigestException.class)
                .hasMessage("the image digest is missing");
    }

    @ParameterizedTest
    @ValueSource(chars = {'/', ':', '`', 'g', 'G', 'A', 'F', ' ', '\n', '\u0660', '\uFF10'})
    void rejectsEveryCharacterBesideTheHexRanges(char outside) {
        // given: one digit of a valid digest replaced, first, middle or last
        for (int at : new int[] {7, 40, 70}) {
            String digest = DIGEST.substring(0, at) + outside + DIGEST.substring(at + 1);

            // when / then
            assertThat(isDigest(digest)).as("%s at %d", outside, at).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 65, 128})
    void rejectsAnyOtherNumberOfDigits(int digits) {
        assertThat(isDigest("sha256:" + "a".repeat(digits))).isFalse();
        assertThat(isDigest(DIGEST + "\n")).isFalse();
    }

    @Test
    void acceptsEveryHexDigitAtEveryPlace() {
        String hex = "0123456789abcdef";
        for (int at = 0; at < 64; at++) {
            for (char c : hex.toCharArray()) {
                String digest = "sha256:" + "0".repeat(at) + c + "0".repeat(63 - at);
                assertThat(isDigest(digest)).as(digest).isTrue();
            }
        }
    }

    private static boolean isDigest(String value) {
        try {
            ImageDigest.parse(value);
            return true;
        } catch (ImageDigest.InvalidDigestException e) {
            return false;
        }
    }

    @Test
    void shortFormIsTheFirstTwelveHexDigits() {
        ImageDigest digest = ImageDigest.parse(DIGEST);

        assertThat(digest.shortForm()).isEqualTo("07348c117739");
    }
}
