package dev.gantry.core.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TaskDefinitionArnTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api:42, payments-api, 42",
            "arn:aws-cn:ecs:cn-north-1:111111111111:task-definition/hello_world:8, hello_world, 8",
            "arn:aws:ecs:us-east-1:111111111111:task-definition/a:1, a, 1"})
    void readsFamilyAndRevision(String arn, String family, int revision) {
        TaskDefinitionArn parsed = TaskDefinitionArn.parse(arn);

        assertThat(parsed.family()).isEqualTo(family);
        assertThat(parsed.revision()).isEqualTo(revision);
        assertThat(TaskDefinitionArn.familyOf(arn)).contains(family);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "payments-api:42",
            "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api",
            "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api",
            "arn:aws:ecs:eu-west-1:<aws_account_id>:task-definition/hello_world:8"})
    void refusesWhatIsNoRevisionArn(String arn) {
        assertThatThrownBy(() -> TaskDefinitionArn.parse(arn)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(arn);
        assertThat(TaskDefinitionArn.familyOf(arn)).isEmpty();
    }
}
