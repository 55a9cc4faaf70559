package dev.gantry.fn.releasegate;

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
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import dev.gantry.testing.PipelineArtifacts;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke pipeline-gate} on a gate whose three checks each read another AWS service: a CloudWatch alarm,
 * a Systems Manager Change Calendar and a custom check on Lambda. The packaged jar, in a fresh JVM, builds and calls
 * each of those clients: the service modules it ships are the ones its gates need.
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
    void passesTheGateOnceTheAlarmTheChangeCalendarAndTheCustomCheckHaveEachAnswered() throws Exception {
        aws.stubPipelineJobResults();
        aws.stubProdArtifact(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag();
        aws.stubAlarm("OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).");
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCalendarState"))
                .willReturn(JsonProtocolWire.json("""
                        {"State":"OPEN","AtTime":"2026-03-04T10:00:00Z","NextTransitionTime":"2099-12-20T00:00:00Z"}""")));
        aws.server.stubFor(post(urlPathEqualTo("/2015-03-31/functions/release-check/invocations"))
                .willReturn(okJson("{\"status\":\"pass\",\"reason\":\"no open incident\"}")));

        Result result = InvokeScript.run(environment(), "pipeline-gate", "events/gantry-codepipeline-job-payments-api-prod-gate.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode answer = JSON.readTree(result.stdout());
        assertThat(answer.at("/disposition").asText()).isEqualTo("COMPLETED");
        assertThat(answer.at("/outcome").asText()).as(result.stdout()).isEqualTo("SUCCEEDED");
        assertThat(CloudWatchWire.describeAlarmsRequests(aws.server)).isNotEmpty();
        assertThat(aws.server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCalendarState"))))
                .singleElement().satisfies(get -> assertThat(get.getBodyAsString()).contains("release-freeze"));
        assertThat(aws.server.findAll(postRequestedFor(urlPathEqualTo("/2015-03-31/functions/release-check/invocations")))).hasSize(1);
        assertThat(JsonProtocolWire.CODEPIPELINE.requests(aws.server, "PutJobSuccessResult")).singleElement()
                .satisfies(put -> assertThat(put.has("continuationToken")).as(put.toString()).isFalse());
    }

    private static Map<String, String> environment() throws URISyntaxException {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Path.of(GateChecksScriptsInvokeIT.class.getResource("/gantry-gated-three-checks.yml").toURI()).toString());
        env.put("GANTRY_TABLE", aws.freshTable());
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.server.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
