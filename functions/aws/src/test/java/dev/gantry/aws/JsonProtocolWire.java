package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * An AWS JSON 1.1 protocol service on a WireMock server, as {@link EcsWire} is for ECS: every operation is
 * {@code POST /}, named by {@code X-Amz-Target = <prefix><Operation>}. One instance per service.
 */
public final class JsonProtocolWire {

    public static final JsonProtocolWire CODEBUILD = new JsonProtocolWire("CodeBuild_20161006.");
    public static final JsonProtocolWire CODEPIPELINE = new JsonProtocolWire("CodePipeline_20150709.");
    public static final JsonProtocolWire ECR = new JsonProtocolWire("AmazonEC2ContainerRegistry_V20150921.");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    private final String targetPrefix;

    private JsonProtocolWire(String targetPrefix) {
        this.targetPrefix = targetPrefix;
    }

    public MappingBuilder operation(String name) {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(targetPrefix + name));
    }

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", CONTENT_TYPE).withBody(body);
    }

    /** An error as these services send it: HTTP 400 and the exception's name in {@code __type}. */
    public static ResponseDefinitionBuilder error(String type, String message) {
        ObjectNode body = JSON.createObjectNode().put("__type", type).put("message", message);
        return aResponse().withStatus(400).withHeader("Content-Type", CONTENT_TYPE).withBody(body.toString());
    }

    /** Every request for {@code operation}, in order, as it went over the wire. */
    public List<LoggedRequest> logged(WireMockServer server, String operation) {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(targetPrefix + operation)));
    }

    /** The bodies of every request for {@code operation}, in order, as JSON. */
    public List<JsonNode> requests(WireMockServer server, String operation) {
        return logged(server, operation).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
    }
}
