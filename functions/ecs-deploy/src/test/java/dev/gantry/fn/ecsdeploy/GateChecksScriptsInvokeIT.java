package dev.gantry.fn.ecsdeploy;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.StateTable;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke ecs-deploy} for a push that reaches a gated environment whose gate has three checks, each read
 * through another AWS service: a CloudWatch alarm, a Systems Manager Change Calendar and a custom check on Lambda. The
 * packaged jar, in a fresh JVM, builds and calls each of those clients when it asks the gate at deploy time.
 */
class GateChecksScriptsInvokeIT {

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
    void asksTheAlarmTheChangeCalendarAndTheCustomCheckBeforeDeployingToTheGatedEnvironment() throws Exception {
        aws.ecs.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(CloudWatchWire.metricAlarm(
                "payments-api-5xx", "OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).",
                "2026-03-04T08:00:00.000Z"))));
        aws.ecs.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCalendarState"))
                .willReturn(JsonProtocolWire.json("""
                        {"State":"OPEN","AtTime":"2026-03-04T10:00:00Z","NextTransitionTime":"2099-12-20T00:00:00Z"}""")));
        aws.ecs.stubFor(post(urlPathEqualTo("/2015-03-31/functions/release-check/invocations"))
                .willReturn(okJson("{\"status\":\"pass\",\"reason\":\"no open incident\"}")));
        String table = "gantry-" + System.nanoTime();
        StateTable.createIfMissing(aws.dynamo, table);

        Result result = InvokeScript.run(environment(table), "ecs-deploy", "events/gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/outcomes").findValuesAsText("result")).as(result.stdout()).containsOnly("DEPLOYED").hasSize(2);
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.ecs)).isNotEmpty();
        assertThat(aws.ecs.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCalendarState"))))
                .isNotEmpty().allSatisfy(get -> assertThat(get.getBodyAsString()).contains("release-freeze"));
        assertThat(aws.ecs.findAll(postRequestedFor(urlPathEqualTo("/2015-03-31/functions/release-check/invocations")))).isNotEmpty();
    }

    private static Map<String, String> environment(String table) throws URISyntaxException {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Path.of(GateChecksScriptsInvokeIT.class.getResource("/gantry-gated-three-checks.yml").toURI()).toString());
        env.put("GANTRY_TABLE", table);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.ecs.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
