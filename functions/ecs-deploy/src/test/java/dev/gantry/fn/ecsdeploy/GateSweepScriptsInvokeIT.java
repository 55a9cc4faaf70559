package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.StateTable;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke gate-sweep} as a user runs it: the ecs-deploy jar names the function, and the sweep wires itself
 * from environment variables alone (the example configuration, whose prod gate soaks, watches alarms and wants two
 * approvals), as Lambda builds it.
 */
class GateSweepScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
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
    void looksAgainAtAHeldReleaseAndLeavesItWaitingWhileItsGateDoes() throws Exception {
        aws.dynamo.deleteTable(r -> r.tableName(LoopbackAws.TABLE));
        StateTable.createIfMissing(aws.dynamo, LoopbackAws.TABLE);
        aws.ecs.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(
                CloudWatchWire.metricAlarm("payments-api-5xx", "OK", "Threshold Crossed: no datapoints were greater than the threshold.",
                        "2026-01-05T09:00:00.000Z"))));
        // What a push to prod leaves behind: a release of Gantry's own deploy flow, due for the sweep now.
        ReleaseKey held = new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
        new DynamoDbGateStore(aws.dynamo, LoopbackAws.TABLE).create(GateRecord.arriving(new GateSubject(held,
                LoopbackAws.REGISTRY + "/payments-api@" + DIGEST, "1.4.0", null, List.of(), GateOrigin.DEPLOY), "production", Instant.now()));

        Result result = run("gate-sweep", "events/gantry-scheduled-event-gate-sweep.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/lines").size()).as(result.stdout()).isEqualTo(1);
        assertThat(report.at("/lines/0/release").asText()).isEqualTo(held.id());
        assertThat(report.at("/lines/0/status").asText()).isEqualTo("WAITING");
        assertThat(report.at("/lines/0/what").asText()).contains("approvals: 0 of 2 approvals");
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.ecs)).isNotEmpty();
        assertThat(EcsWire.requests(aws.ecs, "UpdateService")).isEmpty();
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
