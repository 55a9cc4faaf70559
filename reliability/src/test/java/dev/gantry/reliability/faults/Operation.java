package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.request;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One call a function makes, as seen on the wire: named the way the service names it, and matchable, so a fault can
 * stand in for exactly that call. Learned from a clean run's request journal, so every call a path makes is covered
 * without listing them by hand.
 */
record Operation(String service, String name, Protocol protocol, Matching matchedBy, String key) {

    enum Protocol { AWS_JSON, AWS_QUERY, REST_XML, REST_JSON, SLACK }

    enum Matching { TARGET_HEADER, QUERY_ACTION, METHOD_AND_PATH }

    private static final Pattern ACTION = Pattern.compile("(?:^|&)Action=([A-Za-z]+)");
    private static final Pattern SCOPE = Pattern.compile("Credential=[^/]+/\\d{8}/[^/]+/([^/]+)/aws4_request");

    static Operation of(LoggedRequest request) {
        String target = request.getHeader("X-Amz-Target");
        if (target != null && !target.isBlank()) {
            String service = target.substring(0, Math.max(0, target.indexOf('.')));
            String name = target.substring(target.indexOf('.') + 1);
            return new Operation(service, name, Protocol.AWS_JSON, Matching.TARGET_HEADER, target);
        }
        String path = request.getUrl().replaceAll("\\?.*", "");
        if (path.startsWith("/api/")) {
            return new Operation("Slack", path.substring("/api/".length()), Protocol.SLACK, Matching.METHOD_AND_PATH, path);
        }
        Matcher action = ACTION.matcher(request.getBodyAsString());
        if (action.find()) {
            return new Operation(signingService(request), action.group(1), Protocol.AWS_QUERY, Matching.QUERY_ACTION, action.group(1));
        }
        String service = signingService(request);
        Protocol protocol = service.equals("s3") ? Protocol.REST_XML : Protocol.REST_JSON;
        return new Operation(service, request.getMethod().value() + " " + path, protocol, Matching.METHOD_AND_PATH,
                request.getMethod().value() + " " + path);
    }

    /** Every request of this operation, whatever its body. */
    MappingBuilder pattern() {
        return switch (matchedBy) {
            case TARGET_HEADER -> any(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(key));
            case QUERY_ACTION -> any(urlEqualTo("/")).withRequestBody(com.github.tomakehurst.wiremock.client.WireMock.matching("(?s)(.*&)?Action=" + key + "(&.*)?"));
            case METHOD_AND_PATH -> protocol == Protocol.SLACK
                    ? any(urlPathEqualTo(key))
                    : request(key.substring(0, key.indexOf(' ')), urlPathEqualTo(key.substring(key.indexOf(' ') + 1)));
        };
    }

    boolean isDynamoDb() {
        return service.startsWith("DynamoDB_");
    }

    @Override
    public String toString() {
        return service + " " + name;
    }

    private static String signingService(LoggedRequest request) {
        String authorization = request.getHeader("Authorization");
        if (authorization != null) {
            Matcher scope = SCOPE.matcher(authorization);
            if (scope.find()) {
                return scope.group(1);
            }
        }
        return "unsigned";
    }
}
