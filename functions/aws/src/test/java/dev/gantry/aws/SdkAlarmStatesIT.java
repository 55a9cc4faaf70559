package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.gate.AlarmStates.AlarmState;
import dev.gantry.core.gate.AlarmStates.AlarmStatesException;
import dev.gantry.core.gate.AlarmStates.State;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;

/**
 * CloudWatch in SDK 2.40 speaks the AWS query protocol: {@code POST /} with a form body naming {@code Action} and
 * {@code Version}, lists as {@code Name.member.N}, and XML answers. These tests stub that and read the forms back.
 */
class SdkAlarmStatesIT {

    private static final String NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private static WireMockServer server;
    private static CloudWatchClient client;
    private SdkAlarmStates alarms;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = CloudWatchClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        alarms = new SdkAlarmStates(client);
    }

    @Test
    void readsNamedMetricAndCompositeAlarmsAskingForBothTypes() {
        server.stubFor(describeAlarms().willReturn(page(
                metricAlarm("payments-5xx", "ALARM", "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).",
                        "2025-11-23T10:15:30.000Z", "2025-11-23T10:14:00.000Z"),
                compositeAlarm("payments-health", "OK", "All child alarms are OK", "2025-11-22T08:00:00.000Z", null),
                null)));

        List<AlarmState> states = alarms.describe(List.of("payments-5xx", "payments-health"), List.of());

        assertThat(states).containsExactly(
                new AlarmState("payments-5xx", State.ALARM, "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).",
                        Instant.parse("2025-11-23T10:14:00Z"), false),
                new AlarmState("payments-health", State.OK, "All child alarms are OK", Instant.parse("2025-11-22T08:00:00Z"), true));
        LoggedRequest request = single();
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        assertThat(request.containsHeader("X-Amz-Target")).isFalse();
        Map<String, List<String>> form = form(request);
        assertThat(form.get("Action")).containsExactly("DescribeAlarms");
        assertThat(form.get("Version")).containsExactly("2010-08-01");
        assertThat(members(form, "AlarmNames")).containsExactly("payments-5xx", "payments-health");
        assertThat(members(form, "AlarmTypes")).containsExactlyInAnyOrder("MetricAlarm", "CompositeAlarm");
        assertThat(form.get("MaxRecords")).containsExactly("100");
        assertThat(form).doesNotContainKeys("AlarmNamePrefix", "NextToken");
    }

    @Test
    void followsNextTokenToTheLastPage() {
        server.stubFor(describeAlarms().withRequestBody(containing("NextToken=")).willReturn(page(
                metricAlarm("payments-latency", "INSUFFICIENT_DATA", null, "2025-11-23T09:00:00.000Z", null), "", null)));
        server.stubFor(describeAlarms().atPriority(10).willReturn(page(
                metricAlarm("payments-5xx", "OK", null, "2025-11-23T09:00:00.000Z", null), "", "page+2/of=2")));

        List<AlarmState> states = alarms.describe(List.of(), List.of("payments-"));

        assertThat(states).extracting(AlarmState::name).containsExactly("payments-5xx", "payments-latency");
        assertThat(states.get(1).state()).isEqualTo(State.INSUFFICIENT_DATA);
        List<Map<String, List<String>>> forms = forms();
        assertThat(forms).hasSize(2);
        assertThat(forms.get(0)).doesNotContainKey("NextToken");
        assertThat(forms.get(1).get("NextToken")).containsExactly("page+2/of=2");
        assertThat(forms.get(1).get("AlarmNamePrefix")).containsExactly("payments-");
        assertThat(members(forms.get(1), "AlarmTypes")).containsExactlyInAnyOrder("MetricAlarm", "CompositeAlarm");
    }

    @Test
    void asksForAtMostOneHundredNamesPerRequest() {
        server.stubFor(describeAlarms().willReturn(page("", "", null)));
        List<String> names = IntStream.range(0, 250).mapToObj(i -> "alarm-%03d".formatted(i)).toList();

        alarms.describe(names, List.of());

        List<List<String>> asked = forms().stream().map(form -> members(form, "AlarmNames")).toList();
        assertThat(asked).extracting(List::size).containsExactly(100, 100, 50);
        assertThat(asked.stream().flatMap(List::stream).toList()).isEqualTo(names);
    }

    @Test
    void asksOncePerPrefixAndNeverMixesPrefixesWithNames() {
        server.stubFor(describeAlarms().willReturn(page("", "", null)));

        alarms.describe(List.of("payments-5xx"), List.of("payments-", "checkout-", "payments-"));

        List<Map<String, List<String>>> forms = forms();
        assertThat(forms).hasSize(3);
        assertThat(members(forms.get(0), "AlarmNames")).containsExactly("payments-5xx");
        assertThat(forms.get(0)).doesNotContainKey("AlarmNamePrefix");
        assertThat(forms.subList(1, 3)).extracting(form -> form.get("AlarmNamePrefix").get(0)).containsExactly("payments-", "checkout-");
        assertThat(forms.subList(1, 3)).allSatisfy(form -> assertThat(members(form, "AlarmNames")).isEmpty());
    }

    @Test
    void reportsAnAlarmOnceWhenItIsNamedAndMatchedByAPrefix() {
        String fiveXx = metricAlarm("payments-5xx", "ALARM", null, "2025-11-23T10:15:30.000Z", null);
        server.stubFor(describeAlarms().withRequestBody(containing("AlarmNames.member.1=")).willReturn(page(fiveXx, "", null)));
        server.stubFor(describeAlarms().withRequestBody(containing("AlarmNamePrefix=")).willReturn(page(
                fiveXx + metricAlarm("payments-latency", "OK", null, "2025-11-23T10:15:30.000Z", null),
                compositeAlarm("payments-health", "ALARM", null, "2025-11-23T10:16:00.000Z", null), null)));

        List<AlarmState> states = alarms.describe(List.of("payments-5xx"), List.of("payments-"));

        assertThat(states).extracting(AlarmState::name).containsExactly("payments-5xx", "payments-latency", "payments-health");
        assertThat(states).extracting(AlarmState::composite).containsExactly(false, false, true);
    }

    @Test
    void leavesOutANamedAlarmThatDoesNotExist() {
        server.stubFor(describeAlarms().willReturn(page(metricAlarm("payments-5xx", "OK", null, "2025-11-23T10:15:30.000Z", null), "", null)));

        List<AlarmState> states = alarms.describe(List.of("payments-5xx", "payments-deleted"), List.of());

        assertThat(states).extracting(AlarmState::name).containsExactly("payments-5xx");
        assertThat(members(form(single()), "AlarmNames")).containsExactly("payments-5xx", "payments-deleted");
    }

    @Test
    void asksNothingWhenTheGateWatchesNoAlarms() {
        List<AlarmState> states = alarms.describe(List.of(), List.of());

        assertThat(states).isEmpty();
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void namesWhatWasAskedWhenCloudWatchRefuses() {
        server.stubFor(describeAlarms().willReturn(error(403, "AccessDenied",
                "User: arn:aws:sts::111122223333:assumed-role/gantry-gate/fn is not authorized to perform: cloudwatch:DescribeAlarms")));

        assertThatThrownBy(() -> alarms.describe(List.of("payments-5xx"), List.of()))
                .isInstanceOf(AlarmStatesException.class)
                .hasMessageContaining("DescribeAlarms for alarms payments-5xx")
                .hasMessageContaining("AccessDenied")
                .hasMessageContaining("not authorized to perform: cloudwatch:DescribeAlarms")
                .message().doesNotContain("testaccesskey").doesNotContain("test-secret-key");
    }

    @Test
    void namesThePrefixWhenCloudWatchFails() {
        server.stubFor(describeAlarms().willReturn(error(500, "InternalServiceError", "Internal failure")));

        assertThatThrownBy(() -> alarms.describe(List.of(), List.of("checkout-")))
                .isInstanceOf(AlarmStatesException.class)
                .hasMessageContaining("alarm name prefix checkout-")
                .hasMessageContaining("InternalServiceError");
    }

    @Test
    void shortensTheNamesOfALargeBatchInTheMessage() {
        server.stubFor(describeAlarms().willReturn(error(400, "InvalidParameterValue", "bad name")));
        List<String> names = IntStream.range(0, 40).mapToObj(i -> "alarm-%03d".formatted(i)).toList();

        assertThatThrownBy(() -> alarms.describe(names, List.of()))
                .isInstanceOf(AlarmStatesException.class)
                .hasMessageContaining("alarms alarm-000, alarm-001, alarm-002 and 37 more");
    }

    @Test
    void refusesToJudgeAStateItDoesNotKnow() {
        server.stubFor(describeAlarms().willReturn(page(metricAlarm("payments-5xx", "MUTED", null, "2025-11-23T10:15:30.000Z", null), "", null)));

        assertThatThrownBy(() -> alarms.describe(List.of("payments-5xx"), List.of()))
                .isInstanceOf(AlarmStatesException.class)
                .hasMessageContaining("payments-5xx is in state MUTED");
    }

    private static MappingBuilder describeAlarms() {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeAlarms"));
    }

    private static ResponseDefinitionBuilder page(String metricAlarms, String compositeAlarms, String nextToken) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                <DescribeAlarmsResponse xmlns="%s">
                  <DescribeAlarmsResult>
                    <MetricAlarms>%s</MetricAlarms>
                    <CompositeAlarms>%s</CompositeAlarms>
                    %s
                  </DescribeAlarmsResult>
                  <ResponseMetadata><RequestId>8f3c6c1e-0d1b-4c55-9d59-6a1f2b7e0c11</RequestId></ResponseMetadata>
                </DescribeAlarmsResponse>""".formatted(NAMESPACE, metricAlarms, compositeAlarms,
                nextToken == null ? "" : "<NextToken>" + nextToken + "</NextToken>"));
    }

    private static String metricAlarm(String name, String state, String reason, String updated, String transitioned) {
        return """
                <member>
                  <AlarmName>%s</AlarmName>
                  <AlarmArn>arn:aws:cloudwatch:eu-west-1:111122223333:alarm:%1$s</AlarmArn>
                  <Namespace>AWS/ApplicationELB</Namespace><MetricName>HTTPCode_Target_5XX_Count</MetricName>
                  <StateValue>%s</StateValue>
                  %s
                  <StateUpdatedTimestamp>%s</StateUpdatedTimestamp>
                  %s
                </member>""".formatted(name, state, reason == null ? "" : "<StateReason>" + reason + "</StateReason>", updated,
                transitioned == null ? "" : "<StateTransitionedTimestamp>" + transitioned + "</StateTransitionedTimestamp>");
    }

    private static String compositeAlarm(String name, String state, String reason, String updated, String transitioned) {
        return """
                <member>
                  <AlarmName>%s</AlarmName>
                  <AlarmArn>arn:aws:cloudwatch:eu-west-1:111122223333:alarm:%1$s</AlarmArn>
                  <AlarmRule>ALARM("payments-5xx") OR ALARM("payments-latency")</AlarmRule>
                  <StateValue>%s</StateValue>
                  %s
                  <StateUpdatedTimestamp>%s</StateUpdatedTimestamp>
                  %s
                </member>""".formatted(name, state, reason == null ? "" : "<StateReason>" + reason + "</StateReason>", updated,
                transitioned == null ? "" : "<StateTransitionedTimestamp>" + transitioned + "</StateTransitionedTimestamp>");
    }

    /** A query-protocol error as CloudWatch sends it. */
    private static ResponseDefinitionBuilder error(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody("""
                <ErrorResponse xmlns="%s">
                  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                  <RequestId>2b1e0c77-5c3f-4d7e-a0a4-95b0c1d2e3f4</RequestId>
                </ErrorResponse>""".formatted(NAMESPACE, code, message));
    }

    private static LoggedRequest single() {
        List<LoggedRequest> requests = server.findAll(postRequestedFor(urlEqualTo("/")));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /** Every form sent, in the order sent. */
    private static List<Map<String, List<String>>> forms() {
        return server.findAll(postRequestedFor(urlEqualTo("/"))).stream().map(SdkAlarmStatesIT::form).toList();
    }

    private static Map<String, List<String>> form(LoggedRequest request) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return form;
    }

    /** A query-protocol list, {@code Name.member.1} onwards, in member order. */
    private static List<String> members(Map<String, List<String>> form, String name) {
        List<String> members = new ArrayList<>();
        for (int i = 1; form.containsKey(name + ".member." + i); i++) {
            members.add(form.get(name + ".member." + i).get(0));
        }
        return members;
    }
}
