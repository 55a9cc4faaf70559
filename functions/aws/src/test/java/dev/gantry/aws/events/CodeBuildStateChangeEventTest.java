package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.aws.events.CodeBuildStateChangeEvent.BuildStateChange;
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

class CodeBuildStateChangeEventTest {

    private static final String SAMPLE = "codebuild-build-state-change-succeeded.json";
    private static final String ARN = "arn:aws:codebuild:us-west-2:123456789012:build/my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX";

    @Test
    void readsTheAwsSucceededSample() throws IOException {
        BuildStateChange change = parseFile(SAMPLE);

        assertThat(change).isEqualTo(new BuildStateChange("c030038d-8c4d-6141-9545-00ff7b7153EX",
                "my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX", ARN, "my-sample-project", "SUCCEEDED",
                Instant.parse("2017-09-01T16:14:28Z")));
        assertThat(change.succeeded()).isTrue();
    }

    @Test
    void readsAFailedBuildAsNotSucceeded() {
        String failed = Fixtures.eventText(SAMPLE).replace("\"build-status\": \"SUCCEEDED\"", "\"build-status\": \"FAILED\"");

        BuildStateChange change = CodeBuildStateChangeEvent.parse(stream(failed));

        assertThat(change.buildStatus()).isEqualTo("FAILED");
        assertThat(change.succeeded()).isFalse();
    }

    @Test
    void rejectsAPhaseChangeNamingWhatItGot() {
        assertThatThrownBy(() -> parseFile("codebuild-build-phase-change.json"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("expected a 'CodeBuild Build State Change' event from aws.codebuild")
                .hasMessageContaining("'CodeBuild Build Phase Change'");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"build-status\": \"SUCCEEDED\",|''|detail.build-status: missing",
        "\"project-name\": \"my-sample-project\",|''|detail.project-name: missing",
        "\"build-id\": \"arn:aws:codebuild:us-west-2:123456789012:build/my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX\",|''|detail.build-id: missing",
        "\"build-id\": \"arn:aws:codebuild:us-west-2:123456789012:build/my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX\",|\"build-id\": \"my-sample-project:1\",|detail.build-id: 'my-sample-project:1' is not a CodeBuild build ARN",
        "\"time\": \"2017-09-01T16:14:28Z\",|\"time\": \"Sep 1, 2017 4:14:28 PM\",|time: 'Sep 1, 2017 4:14:28 PM' is not an ISO-8601 UTC timestamp",
        "\"build-status\": \"SUCCEEDED\",|\"build-status\": [\"SUCCEEDED\"],|detail.build-status: wrong type or shape",
    })
    void rejectsAMissingOrMistypedFieldNamingIt(String original, String replacement, String expected) {
        String sample = Fixtures.eventText(SAMPLE);
        String broken = sample.replace(original, replacement);
        assertThat(broken).isNotEqualTo(sample);

        assertThatThrownBy(() -> CodeBuildStateChangeEvent.parse(stream(broken)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void rejectsAnEventWithoutDetail() {
        assertThatThrownBy(() -> CodeBuildStateChangeEvent.parse(stream(
                "{\"id\":\"1\",\"detail-type\":\"CodeBuild Build State Change\",\"source\":\"aws.codebuild\",\"time\":\"2017-09-01T16:14:28Z\"}")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("detail: missing");
    }

    private static BuildStateChange parseFile(String name) throws IOException {
        try (InputStream in = Files.newInputStream(Fixtures.event(name))) {
            return CodeBuildStateChangeEvent.parse(in);
        }
    }

    private static InputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
