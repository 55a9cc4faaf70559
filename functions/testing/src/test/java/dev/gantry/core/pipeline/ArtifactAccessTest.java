package dev.gantry.core.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ArtifactAccessTest {

    private static final ArtifactAccess ACCESS = new ArtifactAccess("AKIAIOSFODNN7EXAMPLE", "6CGtmAa3lzWtV7a...", "IQoJb3JpZ2luX2VjEA...");

    @Test
    void printsNothingOfTheCredentials() {
        String printed = ACCESS + " " + new PipelineJob("job-1", "111111111111", null, List.of(), ACCESS);

        assertThat(printed).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("6CGtmAa3lzWtV7a").doesNotContain("IQoJb3JpZ2luX2VjEA")
                .contains("ArtifactAccess[[redacted]]");
    }

    @Test
    void scrubsEveryCredentialFromAText() {
        String scrubbed = ACCESS.scrub("Credential=AKIAIOSFODNN7EXAMPLE/20261123, secret 6CGtmAa3lzWtV7a..., X-Amz-Security-Token: IQoJb3JpZ2luX2VjEA...");

        assertThat(scrubbed).isEqualTo("Credential=[redacted]/20261123, secret [redacted], X-Amz-Security-Token: [redacted]");
    }

    @Test
    void scrubsACredentialThatContainsAnotherWhole() {
        ArtifactAccess nested = new ArtifactAccess("KEY", "KEYSECRET", "TOKEN");

        assertThat(nested.scrub("s=KEYSECRET k=KEY")).isEqualTo("s=[redacted] k=[redacted]");
    }
}
