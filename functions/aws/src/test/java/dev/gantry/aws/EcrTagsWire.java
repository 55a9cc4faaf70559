package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.testing.Fixtures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Where ECR's tags point, as {@code DescribeImages} by tag answers on a WireMock server. A base push is rebuilt on only
 * while its tag still names the pushed digest, so a test that delivers a push says where the tag points, as ECR would
 * once that push happened.
 */
public final class EcrTagsWire {

    /** The sample base pushes in {@code events/} whose tags a rebuild test needs pointing at their digests. */
    public static final List<String> SAMPLE_BASE_PUSHES = List.of("gantry-ecr-push-golden-java21.json", "gantry-ecr-push-runtime-java.json");

    private static final ObjectMapper JSON = new ObjectMapper();

    private EcrTagsWire() {}

    /** Every {@code DescribeImages} of {@code repository} answers that {@code tag} names {@code digest}. */
    public static void tagPointsAt(WireMockServer server, String registryId, String repository, String tag, String digest) {
        ObjectNode detail = JSON.createObjectNode().put("registryId", registryId).put("repositoryName", repository).put("imageDigest", digest);
        detail.putArray("imageTags").add(tag);
        ObjectNode body = JSON.createObjectNode();
        body.putArray("imageDetails").add(detail);
        server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(matchingJsonPath("$.repositoryName", equalTo(repository)))
                .willReturn(JsonProtocolWire.json(body.toString())));
    }

    /** The tag of each of {@link #SAMPLE_BASE_PUSHES} points at the digest it pushed. */
    public static void asTheSampleBasePushesLeftThem(WireMockServer server) {
        for (String sample : SAMPLE_BASE_PUSHES) {
            JsonNode event;
            try {
                event = JSON.readTree(Fixtures.eventText(sample));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            JsonNode detail = event.path("detail");
            tagPointsAt(server, event.path("account").asText(), detail.path("repository-name").asText(), detail.path("image-tag").asText(),
                    detail.path("image-digest").asText());
        }
    }
}
