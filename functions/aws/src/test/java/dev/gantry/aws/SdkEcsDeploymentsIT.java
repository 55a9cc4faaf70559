package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.deploy.EcsGateway.EcsGatewayException;
import dev.gantry.core.deploy.EcsGateway.EcsTargetNotFoundException;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.rollout.EcsDeploymentState;
import dev.gantry.core.rollout.EcsDeploymentState.RolloutState;
import dev.gantry.core.rollout.EcsDeploymentState.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;

class SdkEcsDeploymentsIT {

    private static final EcsServiceRef SERVICE = new EcsServiceRef("111111111111", "eu-west-1", "staging", "payments-api");
    private static final String TD = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:";

    private static WireMockServer server;
    private static EcsClient client;
    private SdkEcsDeployments deployments;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = EcsWire.client(server);
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        deployments = new SdkEcsDeployments(client);
    }

    @Test
    void readsEveryDeploymentWithItsRolloutAndTaskCounts() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","status":"ACTIVE","taskDefinition":"%1$s41",
                  "deployments":[
                    {"id":"ecs-svc/3","status":"PRIMARY","taskDefinition":"%1$s41","desiredCount":2,"pendingCount":1,"runningCount":1,
                     "failedTasks":0,"createdAt":1.7639035E9,"updatedAt":1.7639036E9,"launchType":"FARGATE",
                     "rolloutState":"IN_PROGRESS","rolloutStateReason":"ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1."},
                    {"id":"ecs-svc/2","status":"ACTIVE","taskDefinition":"%1$s42","desiredCount":0,"pendingCount":0,"runningCount":0,
                     "failedTasks":3,"createdAt":1.7639034E9,"updatedAt":1.7639035E9,
                     "rolloutState":"FAILED","rolloutStateReason":"ECS deployment circuit breaker: task failed to start."}]}],
                 "failures":[]}""".formatted(TD))));

        List<EcsDeploymentState> listed = deployments.deploymentsOf(SERVICE);

        assertThat(listed).containsExactly(
                new EcsDeploymentState("ecs-svc/3", Status.PRIMARY, TD + "41", RolloutState.IN_PROGRESS,
                        "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.", 2, 1, 1, 0,
                        Instant.ofEpochSecond(1_763_903_500), Instant.ofEpochSecond(1_763_903_600)),
                new EcsDeploymentState("ecs-svc/2", Status.ACTIVE, TD + "42", RolloutState.FAILED,
                        "ECS deployment circuit breaker: task failed to start.", 0, 0, 0, 3,
                        Instant.ofEpochSecond(1_763_903_400), Instant.ofEpochSecond(1_763_903_500)));
        JsonNode request = EcsWire.requests(server, "DescribeServices").get(0);
        assertThat(request.get("cluster").asText()).isEqualTo("staging");
        assertThat(request.get("services")).hasSize(1);
        assertThat(request.get("services").get(0).asText()).isEqualTo("payments-api");
    }

    @Test
    void readsADeploymentWithoutRolloutStateOrCountsAsNoneAndZero() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","status":"ACTIVE",
                  "deployments":[{"id":"ecs-svc/7","status":"PRIMARY","taskDefinition":"%1$s41"},
                                 {"id":"ecs-svc/6","status":"DRAINING","taskDefinition":"%1$s40","rolloutState":"PAUSED"}]}],
                 "failures":[]}""".formatted(TD))));

        List<EcsDeploymentState> listed = deployments.deploymentsOf(SERVICE);

        assertThat(listed.get(0)).isEqualTo(new EcsDeploymentState("ecs-svc/7", Status.PRIMARY, TD + "41", null, null, 0, 0, 0, 0, null, null));
        assertThat(listed.get(1).status()).isEqualTo(Status.ACTIVE);
        assertThat(listed.get(1).rolloutState()).isNull();
    }

    @Test
    void reportsAMissingServiceAsNotFound() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[],\"failures\":[{\"arn\":\"arn:aws:ecs:eu-west-1:111111111111:service/staging/payments-api\",\"reason\":\"MISSING\"}]}")));

        assertThatThrownBy(() -> deployments.deploymentsOf(SERVICE))
                .isInstanceOf(EcsTargetNotFoundException.class)
                .hasMessageContaining("staging/payments-api").hasMessageContaining("MISSING");
    }

    @Test
    void reportsAnInactiveServiceAsNotFound() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[{\"serviceName\":\"payments-api\",\"status\":\"INACTIVE\",\"deployments\":[]}],\"failures\":[]}")));

        assertThatThrownBy(() -> deployments.deploymentsOf(SERVICE))
                .isInstanceOf(EcsTargetNotFoundException.class).hasMessageContaining("INACTIVE");
    }

    @Test
    void reportsAMissingClusterAsNotFoundWithoutRetrying() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.error("ClusterNotFoundException", "Cluster not found.")));

        assertThatThrownBy(() -> deployments.deploymentsOf(SERVICE))
                .isInstanceOf(EcsTargetNotFoundException.class).hasMessageContaining("cluster staging");
        assertThat(EcsWire.requests(server, "DescribeServices")).hasSize(1);
    }

    @Test
    void namesTheOperationWhenEcsRefusesTheRequest() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.error("AccessDeniedException",
                "User is not authorized to perform: ecs:DescribeServices")));

        assertThatThrownBy(() -> deployments.deploymentsOf(SERVICE))
                .isInstanceOf(EcsGatewayException.class)
                .hasMessageContaining("DescribeServices for staging/payments-api")
                .hasMessageContaining("not authorized");
    }

    @Test
    void asksTheClientThatReachesTheService() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[{\"serviceName\":\"payments-api\",\"status\":\"ACTIVE\",\"deployments\":[]}],\"failures\":[]}")));
        List<EcsServiceRef> routed = new ArrayList<>();
        SdkEcsDeployments routing = new SdkEcsDeployments(service -> {
            routed.add(service);
            return client;
        });

        routing.deploymentsOf(SERVICE);

        assertThat(routed).containsExactly(SERVICE);
    }
}
