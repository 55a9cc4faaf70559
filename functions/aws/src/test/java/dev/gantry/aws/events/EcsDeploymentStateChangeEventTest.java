package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.core.rollout.DeploymentStateChange;
import dev.gantry.core.rollout.DeploymentStateChange.Kind;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EcsDeploymentStateChangeEventTest {

    private static final EcsServiceRef AWS_SAMPLE_SERVICE = new EcsServiceRef("111122223333", "us-west-2", "default", "servicetest");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ecs-deployment-state-change-in-progress.json, IN_PROGRESS, ECS deployment deploymentId in progress.",
        "ecs-deployment-state-change-completed.json,   COMPLETED,   ECS deployment deploymentID completed.",
        "ecs-deployment-state-change-failed.json,      FAILED,      ECS deployment circuit breaker: task failed to start.",
    })
    void readsTheAwsSamples(String file, Kind kind, String reason) {
        DeploymentStateChange change = parse(Fixtures.eventText(file));

        assertThat(change.service()).isEqualTo(AWS_SAMPLE_SERVICE);
        assertThat(change.kind()).isEqualTo(kind);
        assertThat(change.deploymentId()).isEqualTo("ecs-svc/123");
        assertThat(change.reason()).isEqualTo(reason);
        assertThat(change.updatedAt()).isEqualTo(Instant.parse("2020-05-23T11:11:11Z"));
        assertThat(change.eventId()).startsWith("ddca6449-b258-46c0-8653-e0e3a");
    }

    @Test
    void readsTheServiceOfTheExampleConfigurationFromTheGantrySample() {
        DeploymentStateChange change = parse(Fixtures.eventText("gantry-ecs-deployment-failed-rolled-back-payments-api-staging.json"));

        assertThat(change).isEqualTo(new DeploymentStateChange("c4d2e8f1-6b7a-4c39-9e05-1f8b3a7d2c64",
                new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api"), Kind.FAILED, "ecs-svc/3056462518204391731",
                "ECS deployment circuit breaker: task failed to start.", Instant.parse("2020-05-23T11:11:11Z")));
    }

    @Test
    void keepsADeploymentEventWithoutAReason() {
        String sample = Fixtures.eventText("ecs-deployment-state-change-completed.json");
        String withoutReason = sample.replace(",\n        \"reason\": \"ECS deployment deploymentID completed.\"", "");
        assertThat(withoutReason).isNotEqualTo(sample);

        assertThat(parse(withoutReason).reason()).isNull();
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "\"deploymentId\": \"ecs-svc/123\",|''|detail.deploymentId: missing",
        "\"eventName\": \"SERVICE_DEPLOYMENT_COMPLETED\",|\"eventName\": \"SERVICE_DEPLOYMENT_PAUSED\",|detail.eventName: 'SERVICE_DEPLOYMENT_PAUSED' is none of",
        "\"eventName\": \"SERVICE_DEPLOYMENT_COMPLETED\",|''|detail.eventName: missing",
        "\"updatedAt\": \"2020-05-23T11:11:11Z\",|\"updatedAt\": \"soon\",|detail.updatedAt: 'soon' is not an ISO-8601 UTC timestamp",
        "\"deploymentId\": \"ecs-svc/123\",|\"deploymentId\": {\"id\": 123},|detail.deploymentId: wrong type or shape",
        "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"|\"arn:aws:ecs:us-west-2:111122223333:service/servicetest\"|resources[0]: 'arn:aws:ecs:us-west-2:111122223333:service/servicetest' is not an ECS service ARN",
        "\"arn:aws:ecs:us-west-2:111122223333:service/default/servicetest\"|''|resources[0]: missing",
        "\"source\": \"aws.ecs\",|\"source\": \"aws.ecr\",|expected an 'ECS Deployment State Change' event from aws.ecs",
    })
    void rejectsAMissingOrMistypedFieldNamingIt(String original, String replacement, String expected) {
        String sample = Fixtures.eventText("ecs-deployment-state-change-completed.json");
        String broken = sample.replace(original, replacement);
        assertThat(broken).isNotEqualTo(sample);

        assertThatThrownBy(() -> parse(broken))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining(expected);
    }

    @Test
    void rejectsATaskEventNamingWhatItGot() {
        assertThatThrownBy(() -> parse(Fixtures.eventText("ecs-task-state-change-stopped.json")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageContaining("got detail-type 'ECS Task State Change'");
    }

    @Test
    void rejectsTextThatIsNotJsonAndAnEventWithoutDetail() {
        assertThatThrownBy(() -> parse("{\"version\": \"0\", "))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> parse("{\"source\": \"aws.ecs\", \"detail-type\": \"ECS Deployment State Change\", \"id\": \"e\"}"))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("detail: missing");
    }

    private static DeploymentStateChange parse(String json) {
        InputStream in = new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
        return EcsDeploymentStateChangeEvent.parse(in);
    }
}
