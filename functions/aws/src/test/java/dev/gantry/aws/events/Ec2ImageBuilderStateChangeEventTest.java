package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.aws.events.Ec2ImageBuilderStateChangeEvent.ImageStateChange;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ec2ImageBuilderStateChangeEventTest {

    private static final String SAMPLE = "gantry-imagebuilder-image-available.json";

    @Test
    void readsTheAvailableSampleWithItsContainerImages() {
        ImageStateChange change = Ec2ImageBuilderStateChangeEvent.parse(stream(Fixtures.eventText(SAMPLE)));

        assertThat(change).isEqualTo(new ImageStateChange("4c1f0d52-7a3e-4b8e-9f61-2d9a8c7b6e50",
                "arn:aws:imagebuilder:eu-west-1:111122223333:image/base-java21/1.0.0/3", "AVAILABLE", null,
                List.of("111122223333.dkr.ecr.eu-west-1.amazonaws.com/base-java21:1.0.0-3"), Instant.parse("2026-11-20T09:15:42Z")));
        assertThat(change.available()).isTrue();
    }

    @Test
    void readsAFailedImageWithItsReasonAndNoOutputs() {
        String sample = Fixtures.eventText(SAMPLE);
        String failed = sample.substring(0, sample.indexOf("\"state\":")) + """
                "state": {"status": "FAILED", "reason": "Build failed at step 'test'"}}}""";

        ImageStateChange change = Ec2ImageBuilderStateChangeEvent.parse(stream(failed));

        assertThat(change.status()).isEqualTo("FAILED");
        assertThat(change.reason()).isEqualTo("Build failed at step 'test'");
        assertThat(change.containerImageUris()).isEmpty();
        assertThat(change.available()).isFalse();
    }

    @Test
    void rejectsAnotherKindOfEventNamingWhatItGot() {
        assertThatThrownBy(() -> Ec2ImageBuilderStateChangeEvent.parse(stream(Fixtures.eventText("codebuild-build-state-change-succeeded.json"))))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected an 'EC2 Image Builder Image State Change' event from aws.imagebuilder")
                .hasMessageContaining("'aws.codebuild'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"status\": \"AVAILABLE\"|\"reason\": \"none\"|detail.state.status: missing",
        "\"arn:aws:imagebuilder:eu-west-1:111122223333:image/base-java21/1.0.0/3\"|\"ami-0123456789abcdef0\"|resources[0]: 'ami-0123456789abcdef0' is not an Image Builder image ARN",
        "\"time\": \"2026-11-20T09:15:42Z\"|\"time\": 1763630142|time: '1763630142' is not an ISO-8601 UTC timestamp",
        "\"imageUris\": [|\"imageUris\": {\"uri\": [|detail.outputResources.containers[0].imageUris: wrong type or shape",
    })
    void rejectsAMissingOrMistypedFieldNamingIt(String original, String replacement, String expected) {
        String sample = Fixtures.eventText(SAMPLE);
        String broken = sample.replace(original, replacement);
        if (replacement.contains("{\"uri\": [")) {
            broken = broken.replace("1.0.0-3\"\n          ]", "1.0.0-3\"\n          ]}");
        }
        assertThat(broken).isNotEqualTo(sample);
        String event = broken;

        assertThatThrownBy(() -> Ec2ImageBuilderStateChangeEvent.parse(stream(event)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void rejectsAnEventWithoutResources() {
        String sample = Fixtures.eventText(SAMPLE);
        String broken = sample.replace("\"arn:aws:imagebuilder:eu-west-1:111122223333:image/base-java21/1.0.0/3\"", "");

        assertThatThrownBy(() -> Ec2ImageBuilderStateChangeEvent.parse(stream(broken)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("resources[0]: missing (the image ARN)");
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
