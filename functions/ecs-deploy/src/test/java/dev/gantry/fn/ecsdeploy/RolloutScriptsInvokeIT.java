package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.StateTable;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke rollout-follow} as a user runs it: the packaged jar names the function, and the
 * handler wires itself from environment variables alone, as Lambda builds it.
 */
class RolloutScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LoopbackAws aws;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @Test
    void followsTheRolloutTheDeployStartedToCompleted() throws Exception {
        aws.dynamo.deleteTable(r -> r.tableName(LoopbackAws.TABLE));
        StateTable.createIfMissing(aws.dynamo, LoopbackAws.TABLE);
        Result deployed = run("ecs-deploy", "events/gantry-ecr-push-payments-api-1.4.0.json");
        assertThat(deployed.exitCode()).as(deployed.stderr()).isZero();
        aws.ecs.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","status":"ACTIVE","taskDefinition":"%1$s",
                  "deployments":[{"id":"ecs-svc/3056462518204391731","status":"PRIMARY","taskDefinition":"%1$s",
                    "desiredCount":1,"pendingCount":0,"runningCount":1,"rolloutState":"COMPLETED"}]}],"failures":[]}"""
                .formatted(LoopbackAws.NEW_ARN))));

        Result followed = run("rollout-follow", "events/gantry-ecs-deployment-completed-payments-api-staging.json");

        assertThat(followed.exitCode()).as(followed.stderr()).isZero();
        JsonNode report = JSON.readTree(followed.stdout());
        assertThat(report.at("/outcomes/0/status").asText()).isEqualTo("COMPLETED");
        assertThat(aws.releaseItems()).singleElement()
                .satisfies(item -> assertThat(item.get("rolloutStatus").s()).isEqualTo("COMPLETED"));
    }

    @Test
    void exitsNonZeroNamingTheEventItDoesNotFollow() throws Exception {
        Result result = run("rollout-follow", "events/ecs-service-action-service-steady-state.json");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("invoke rollout-follow: failed: MalformedEventException: detail-type: 'ECS Service Action'");
        assertThat(result.stdout()).isBlank();
    }


    private static Result run(String function, String eventFile) throws IOException, InterruptedException {
        return InvokeScript.run(environment(), function, eventFile);
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put("GANTRY_TABLE", LoopbackAws.TABLE);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.ecs.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
