package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

/**
 * What goes wrong between a function and AWS or Slack, each played by WireMock as the service sends it: the error
 * shape matches the protocol of the call it replaces, so the SDK (or Gantry's Slack client) classifies it as it would
 * the real one.
 */
enum Fault {
    THROTTLING,
    SERVER_ERROR,
    SERVICE_UNAVAILABLE,
    /** No answer within the read timeout the functions are given ({@link FaultyAws#READ_TIMEOUT_MS}). */
    TIMEOUT,
    CONNECTION_RESET,
    /** Slow but inside the timeout: the call must simply succeed. */
    SLOW_RESPONSE;

    static final int SLOW_MS = 300;

    ResponseDefinitionBuilder response(Operation.Protocol protocol, int timeoutMs) {
        return switch (this) {
            case THROTTLING -> switch (protocol) {
                case AWS_JSON -> awsJson(400, "ThrottlingException", "Rate exceeded");
                case AWS_QUERY -> awsQuery(400, "Throttling", "Rate exceeded");
                case REST_XML -> restXml(503, "SlowDown", "Please reduce your request rate.");
                case REST_JSON -> aResponse().withStatus(429).withHeader("x-amzn-ErrorType", "TooManyRequestsException")
                        .withHeader("Content-Type", "application/json").withBody("{\"message\":\"Rate exceeded\"}");
                case SLACK -> aResponse().withStatus(429).withHeader("Retry-After", "1");
            };
            case SERVER_ERROR -> status(protocol, 500, "InternalFailure", "We encountered an internal error. Please try again.");
            case SERVICE_UNAVAILABLE -> status(protocol, 503, "ServiceUnavailable", "Service is unavailable. Please try again.");
            case TIMEOUT -> aResponse().withStatus(200).withFixedDelay(timeoutMs + 700);
            case CONNECTION_RESET -> aResponse().withFault(com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER);
            case SLOW_RESPONSE -> throw new IllegalStateException("a slow response delays the normal answer; it replaces none");
        };
    }

    private static ResponseDefinitionBuilder status(Operation.Protocol protocol, int status, String code, String message) {
        return switch (protocol) {
            case AWS_JSON -> awsJson(status, code, message);
            case AWS_QUERY -> awsQuery(status, code, message);
            case REST_XML -> restXml(status, code, message);
            case REST_JSON -> aResponse().withStatus(status).withHeader("x-amzn-ErrorType", code)
                    .withHeader("Content-Type", "application/json").withBody("{\"message\":\"" + message + "\"}");
            case SLACK -> aResponse().withStatus(status).withBody("upstream error");
        };
    }

    private static ResponseDefinitionBuilder awsJson(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    private static ResponseDefinitionBuilder awsQuery(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/xml").withBody("""
                <ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
                <RequestId>0f7c2d1e-5a3b-4c6d-8e9f-a0b1c2d3e4f5</RequestId></ErrorResponse>""".formatted(code, message));
    }

    private static ResponseDefinitionBuilder restXml(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/xml").withBody("""
                <Error><Code>%s</Code><Message>%s</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"""
                .formatted(code, message));
    }
}
