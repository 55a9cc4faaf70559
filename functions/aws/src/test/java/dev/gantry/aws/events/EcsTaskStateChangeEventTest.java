package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.TaskStateChange;
import dev.gantry.core.rollout.TaskStateChange.ContainerExit;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcsTaskStateChangeEventTest {

    @Test
    void readsTheStoppedTaskSampleAsATaskNoServiceStarted() {
        TaskStateChange task = parse(Fixtures.eventText("ecs-task-state-change-stopped.json"));

        assertThat(task.isStopped()).isTrue();
        assertThat(task.service()).isNull();
        assertThat(task.taskArn()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:task/FargateCluster/c13b4cb40f1f4fe4a2971f76ae5a47ad");
        assertThat(task.taskDefinitionArn()).isEqualTo("arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1");
        assertThat(task.stopCode()).isEqualTo("EssentialContainerExited");
        assertThat(task.stoppedReason()).isEqualTo("Essential container in task exited");
        assertThat(task.containers()).containsExactly(new ContainerExit("FargateApp", 1, null));
        assertThat(task.time()).isEqualTo(Instant.parse("2020-01-23T17:58:41Z"));
    }

    @Test
    void readsTheServiceThatStartedTheTaskFromItsGroupAndCluster() {
        TaskStateChange task = parse(Fixtures.eventText("gantry-ecs-task-state-change-stopped-payments-api-staging.json"));

        assertThat(task.service()).isEqualTo(new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api"));
        assertThat(task.taskDefinitionArn()).isEqualTo("arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42");
        assertThat(task.eventId()).isEqualTo("8a41f0c6-2d5e-4b7a-9c38-e6f1d0b94a27");
    }

    @Test
    void readsARunningTaskWithoutStopFields() {
        String sample = Fixtures.eventText("ecs-task-state-change-stopped.json");
        String running = sample.replace("\"lastStatus\": \"STOPPED\",\n        \"overrides\"", "\"lastStatus\": \"RUNNING\",\n        \"overrides\"")
                .replace("        \"stopCode\": \"EssentialContainerExited\",\n        \"stoppedReason\": \"Essential container in task exited\",\n", "");
        assertThat(running).doesNotContain("stopCode").contains("\"lastStatus\": \"RUNNING\"");

        TaskStateChange task = parse(running);

        assertThat(task.isStopped()).isFalse();
        assertThat(task.stoppedReason()).isNull();
        assertThat(task.stopCode()).isNull();
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "\"taskDefinitionArn\": \"arn:aws:ecs:us-west-2:111122223333:task-definition/sample-fargate:1\",|''|detail.taskDefinitionArn: missing",
        "\"clusterArn\": \"arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster\",|''|detail.clusterArn: missing",
        "\"clusterArn\": \"arn:aws:ecs:us-west-2:111122223333:cluster/FargateCluster\",|\"clusterArn\": \"FargateCluster\",|detail.clusterArn: 'FargateCluster' is not an ECS cluster ARN",
        "\"exitCode\": 1,|\"exitCode\": \"one\",|detail.containers[0].exitCode: wrong type or shape",
        "\"name\": \"FargateApp\",|\"name\": \"\",|detail.containers[0].name: missing",
        "\"time\": \"2020-01-23T17:58:41Z\",|\"time\": \"later\",|time: 'later' is not an ISO-8601 UTC timestamp",
        "\"detail-type\": \"ECS Task State Change\",|\"detail-type\": \"ECS Service Action\",|expected an 'ECS Task State Change' event from aws.ecs",
    })
    void rejectsAMissingOrMistypedFieldNamingIt(String original, String replacement, String expected) {
        String sample = Fixtures.eventText("ecs-task-state-change-stopped.json");
        String broken = sample.replace(original, replacement);
        assertThat(broken).isNotEqualTo(sample);

        assertThatThrownBy(() -> parse(broken))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(expected);
    }

    private static TaskStateChange parse(String json) {
        return EcsTaskStateChangeEvent.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }
}
