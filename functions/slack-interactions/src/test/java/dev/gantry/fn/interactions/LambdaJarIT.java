package dev.gantry.fn.interactions;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.LambdaJar;
import dev.gantry.testing.LambdaJarContract;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The slack-interactions deployment package (decision 34): within the 10 MB goal, no AWS service module, and none of what
 * the other functions carry to deploy, read the state table or post to Slack.
 */
class LambdaJarIT extends LambdaJarContract {

    LambdaJarIT() {
        super("slack-interactions", 10_000_000L, Set.of(), "dev/gantry/fn/interactions/", Shape.SIGNED_REQUESTS);
    }

    @Test
    void carriesNothingThePublicEndpointNeverRuns() {
        LambdaJar jar = LambdaJar.of("slack-interactions");
        assertThat(List.of("dev/gantry/core/", "dev/gantry/fn/chatops/", "dev/gantry/aws/DynamoDb", "dev/gantry/aws/SdkEcs",
                "dev/gantry/aws/events/", "dev/gantry/slack/SlackWebApi", "com/slack/api/", "com/google/gson/",
                "com/fasterxml/jackson/databind/", "org/apache/logging/log4j/", "software/amazon/lambda/powertools/",
                "org/yaml/snakeyaml/", "org/slf4j/simple/", "org/apache/logging/slf4j/")).noneMatch(jar::contains);
    }
}
