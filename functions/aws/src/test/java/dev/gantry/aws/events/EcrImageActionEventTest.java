package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.image.ImagePush;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcrImageActionEventTest {

    @Test
    void readsTheAwsPushSample() throws IOException {
        ImagePush push = parseFile("ecr-image-action-push-success.json");

        assertThat(push).isEqualTo(new ImagePush("13cde686-328b-6117-af20-0e5566167482", "123456789012", "us-west-2",
                "my-repository-name", "latest", "sha256:7f5b2640fe6fb4f46592dfd3410c4a79dac4f89e4782432e0378abcd1234",
                "PUSH", "SUCCESS", Instant.parse("2019-11-16T01:54:34Z")));
        assertThat(push.isSuccessfulPush()).isTrue();
    }

    @Test
    void readsTheAwsDeleteSampleAsNotAPush() throws IOException {
        ImagePush delete = parseFile("ecr-image-action-delete-success.json");

        assertThat(delete.action()).isEqualTo("DELETE");
        assertThat(delete.isSuccessfulPush()).isFalse();
    }

    @Test
    void rejectsAnotherKindOfEventNamingWhatItGot() {
        assertThatThrownBy(() -> parseFile("codebuild-build-state-change-succeeded.json"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected an 'ECR Image Action' event from aws.ecr")
                .hasMessageContaining("'CodeBuild Build State Change'").hasMessageContaining("'aws.codebuild'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"repository-name\": \"my-repository-name\",|''|detail.repository-name: missing",
        "\"action-type\": \"PUSH\",|''|detail.action-type: missing",
        "\"time\": \"2019-11-16T01:54:34Z\",|\"time\": \"yesterday\",|time: 'yesterday' is not an ISO-8601 UTC timestamp",
        "\"result\": \"SUCCESS\",|\"result\": {\"nested\": true},|detail.result: wrong type or shape",
        "\"account\": \"123456789012\",|\"account\": true,|account: 'true' is not a 12-digit AWS account id",
        "\"region\": \"us-west-2\",|\"region\": \"us-west-2.evil.test/x\",|region: 'us-west-2.evil.test/x' is not an AWS region name",
        "\"region\": \"us-west-2\",|\"region\": 9223372036854775808,|region: '9223372036854775808' is not an AWS region name",
    })
    void rejectsAMissingOrMistypedFieldNamingIt(String original, String replacement, String expected) throws IOException {
        String sample = Files.readString(Fixtures.event("ecr-image-action-push-success.json"));
        String broken = sample.replace(original, replacement);
        assertThat(broken).isNotEqualTo(sample);

        assertThatThrownBy(() -> EcrImageActionEvent.parse(stream(broken)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void rejectsTextThatIsNotJson() {
        assertThatThrownBy(() -> EcrImageActionEvent.parse(stream("{\"version\": \"0\", ")))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> EcrImageActionEvent.parse(stream("")))
                .isInstanceOf(MalformedEventException.class);
    }

    @Test
    void keepsAnUntaggedPushUntagged() throws IOException {
        String sample = Files.readString(Fixtures.event("ecr-image-action-push-success.json"));
        String untagged = sample.replace(",\n        \"image-tag\": \"latest\"", "");
        assertThat(untagged).isNotEqualTo(sample);

        assertThat(EcrImageActionEvent.parse(stream(untagged)).tag()).isNull();
    }

    private static ImagePush parseFile(String name) throws IOException {
        try (InputStream in = Files.newInputStream(Fixtures.event(name))) {
            return EcrImageActionEvent.parse(in);
        }
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
