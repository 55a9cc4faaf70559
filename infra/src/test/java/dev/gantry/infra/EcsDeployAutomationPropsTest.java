package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.logs.RetentionDays;

class EcsDeployAutomationPropsTest {

    @Test
    void defaultsAreOneGigabyteSixtySecondsAndOneMonthOfLogs() {
        EcsDeployAutomationProps props = complete().build();

        assertThat(props.memorySize()).isEqualTo(1024);
        assertThat(props.timeout().toSeconds()).isEqualTo(60);
        assertThat(props.logRetention()).isEqualTo(RetentionDays.ONE_MONTH);
    }

    @Test
    void refusesATimeoutThatReachesIntoTheReleaseLease() {
        assertThatThrownBy(() -> complete().timeout(Duration.seconds(90)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("90 s release lease");
        assertThat(complete().timeout(Duration.seconds(75)).build().timeout().toSeconds()).isEqualTo(75);
    }

    @Test
    void refusesMemoryLambdaDoesNotOffer() {
        assertThatThrownBy(() -> complete().memorySize(64)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> complete().memorySize(20_000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void namesTheFirstMissingRequiredInput() {
        assertThatThrownBy(() -> complete().functionJar(null).build())
                .isInstanceOf(NullPointerException.class)
                .hasMessage("functionJar is required");
        assertThatThrownBy(() -> EcsDeployAutomationProps.builder().build())
                .hasMessage("config is required");
    }

    private static EcsDeployAutomationProps.Builder complete() {
        return EcsDeployAutomationProps.builder()
                .config(TestConfigs.example())
                .configFile(TestConfigs.EXAMPLE)
                .functionJar(Path.of("gantry-ecs-deploy-lambda.jar"))
                .table(Table.fromTableName(new Stack(), "Imported", "gantry-state"));
    }
}
