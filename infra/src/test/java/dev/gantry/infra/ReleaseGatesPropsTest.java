package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.logs.RetentionDays;
import software.amazon.awscdk.services.sqs.Queue;

class ReleaseGatesPropsTest {

    @Test
    void defaultsAreOneGigabyteSixtySecondsAndOneMonthOfLogs() {
        ReleaseGatesProps props = complete().build();

        assertThat(props.memorySize()).isEqualTo(1024);
        assertThat(props.timeout().toSeconds()).isEqualTo(60);
        assertThat(props.logRetention()).isEqualTo(RetentionDays.ONE_MONTH);
    }

    @Test
    void acceptsTimeoutsUpToLambdasLimitOnly() {
        assertThat(complete().timeout(Duration.minutes(15)).build().timeout().toSeconds()).isEqualTo(900);
        assertThatThrownBy(() -> complete().timeout(Duration.seconds(901)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("between 1 and 900 seconds");
    }

    @Test
    void refusesMemoryLambdaDoesNotOffer() {
        assertThatThrownBy(() -> complete().memorySize(64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().memorySize(20_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesTheFirstMissingRequiredInput() {
        assertThatThrownBy(() -> complete().failedInvocationQueue(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("failedInvocationQueue is required");
        assertThatThrownBy(() -> ReleaseGatesProps.builder().build())
                .hasMessage("config is required");
    }

    private static ReleaseGatesProps.Builder complete() {
        Stack stack = new Stack();
        return ReleaseGatesProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(Path.of("gantry-release-gate-lambda.jar"))
                .table(Table.fromTableName(stack, "Imported", "gantry-state"))
                .failedInvocationQueue(Queue.fromQueueArn(stack, "Failures", "arn:aws:sqs:eu-west-1:111111111111:failures"));
    }
}
