package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.List;

/**
 * CloudWatch's {@code DescribeAlarms} on a WireMock server, for tests of what reads alarms. CloudWatch speaks the AWS
 * query protocol, not JSON: {@code POST /} with a form naming the action, and XML answers (see {@code SdkAlarmStatesIT}).
 * Matched on the form, so it shares a server with the JSON services, which are matched on {@code X-Amz-Target}.
 */
public final class CloudWatchWire {

    private static final String NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private CloudWatchWire() {}

    public static MappingBuilder describeAlarms() {
        return post(urlEqualTo("/")).withRequestBody(containing("Action=DescribeAlarms"));
    }

    /** One page of metric alarms, the last: each argument is one of {@link #metricAlarm}. */
    public static ResponseDefinitionBuilder metricAlarms(String... alarms) {
        return aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody("""
                <DescribeAlarmsResponse xmlns="%s">
                  <DescribeAlarmsResult>
                    <MetricAlarms>%s</MetricAlarms>
                    <CompositeAlarms></CompositeAlarms>
                  </DescribeAlarmsResult>
                  <ResponseMetadata><RequestId>6d1c3e0a-4f2b-4a7e-8c19-2b5e7f0a9d31</RequestId></ResponseMetadata>
                </DescribeAlarmsResponse>""".formatted(NAMESPACE, String.join("", alarms)));
    }

    /**
     * @param state {@code OK}, {@code ALARM} or {@code INSUFFICIENT_DATA}
     * @param changedAt ISO-8601, e.g. {@code 2026-03-04T09:00:00.000Z}
     */
    public static String metricAlarm(String name, String state, String reason, String changedAt) {
        return """
                <member>
                  <AlarmName>%s</AlarmName>
                  <AlarmArn>arn:aws:cloudwatch:eu-west-1:111111111111:alarm:%1$s</AlarmArn>
                  <Namespace>AWS/ApplicationELB</Namespace><MetricName>HTTPCode_Target_5XX_Count</MetricName>
                  <StateValue>%s</StateValue>
                  <StateReason>%s</StateReason>
                  <StateUpdatedTimestamp>%s</StateUpdatedTimestamp>
                  <StateTransitionedTimestamp>%4$s</StateTransitionedTimestamp>
                </member>""".formatted(xml(name), state, xml(reason), changedAt);
    }

    public static List<LoggedRequest> describeAlarmsRequests(WireMockServer server) {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=DescribeAlarms")));
    }

    private static String xml(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
