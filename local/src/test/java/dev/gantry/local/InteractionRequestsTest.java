package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.gantry.slack.SlackRequestVerifier;
import dev.gantry.testing.Fixtures;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InteractionRequestsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2026-11-23T10:00:00Z");
    private static final String SECRET = "fake-local-signing-secret-for-this-test";
    private static final InteractionRequests.App APP = new InteractionRequests.App("T0LOCAL0001", "gantry-local", "A0LOCAL0001",
            "U0GANTRYBOT", "B0GANTRYBOT");

    private final InteractionRequests requests = new InteractionRequests(Fixtures.root().resolve("events"), APP, () -> SECRET);

    @Test
    void signsAsSlackDocumentsIt() {
        String body = Fixtures.eventText("slack-slash-command-verifying-requests-example.form");

        String signature = InteractionRequests.signature("8f742231b10e8888abcd99yyyzzz85a5", 1531420618, body);

        assertThat(signature).isEqualTo("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    }

    @Test
    void buildsTheBlockActionsPayloadOfTheClickedButtonSignedForSlackInteractions() throws Exception {
        ArrayNode blocks = (ArrayNode) JSON.readTree("""
                [{"type":"section","text":{"type":"mrkdwn","text":"Approve?"}},
                 {"type":"actions","block_id":"approval:ga_1","elements":[
                   {"type":"button","action_id":"gantry.gate.approve","text":{"type":"plain_text","text":"Approve"},"value":"ga_1","style":"primary"}]}]""");
        SlackWorkspace.Message card = new SlackWorkspace.Message("C0LOCAL001", "1763892000.000100", null, "Approval needed", blocks, 0, NOW);
        JsonNode button = blocks.path(1).path("elements").path(0);

        String payloadJson = requests.blockActions(card, new SlackWorkspace.Channel("C0LOCAL001", "releases"), button, "approval:ga_1",
                new InteractionRequests.User("U0LOCAL0001", "approver"), "http://127.0.0.1:1/response/abc", NOW);
        String event = requests.functionUrlEvent(InteractionRequests.formBody(payloadJson), NOW);

        JsonNode payload = JSON.readTree(payloadJson);
        assertThat(payload.path("type").asText()).isEqualTo("block_actions");
        assertThat(payload.path("user").path("id").asText()).isEqualTo("U0LOCAL0001");
        assertThat(payload.path("team").path("id").asText()).isEqualTo("T0LOCAL0001");
        assertThat(payload.path("api_app_id").asText()).isEqualTo("A0LOCAL0001");
        assertThat(payload.path("container").path("message_ts").asText()).isEqualTo("1763892000.000100");
        assertThat(payload.path("container").path("channel_id").asText()).isEqualTo("C0LOCAL001");
        assertThat(payload.path("actions").path(0).path("action_id").asText()).isEqualTo("gantry.gate.approve");
        assertThat(payload.path("actions").path(0).path("value").asText()).isEqualTo("ga_1");
        assertThat(payload.path("response_url").asText()).isEqualTo("http://127.0.0.1:1/response/abc");
        assertThat(payload.path("message").path("blocks")).isEqualTo(blocks);

        JsonNode request = JSON.readTree(event);
        assertThat(request.path("isBase64Encoded").asBoolean()).isTrue();
        String body = new String(Base64.getDecoder().decode(request.path("body").asText()), StandardCharsets.UTF_8);
        assertThat(URLDecoder.decode(body.substring("payload=".length()), StandardCharsets.UTF_8)).isEqualTo(payloadJson);
        Map<String, String> headers = Map.of(
                "X-Slack-Request-Timestamp", request.path("headers").path("x-slack-request-timestamp").asText(),
                "X-Slack-Signature", request.path("headers").path("x-slack-signature").asText());
        SlackRequestVerifier verifier = new SlackRequestVerifier(List.of(SECRET), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(verifier.verify(headers, body, false)).isInstanceOf(SlackRequestVerifier.Verified.class);
        assertThat(new SlackRequestVerifier(List.of("another-secret"), Clock.fixed(NOW, ZoneOffset.UTC)).verify(headers, body, false))
                .isInstanceOf(SlackRequestVerifier.Refused.class);
    }

    @Test
    void generatedSecretsSayTheyAreFakeAndNeverLookLikeSlackTokens() {
        LocalSecrets one = LocalSecrets.generate();
        LocalSecrets two = LocalSecrets.generate();

        assertThat(one.botToken()).startsWith("fake-local-bot-token-").doesNotStartWith("xox");
        assertThat(one.signingSecret()).startsWith("fake-local-signing-secret-");
        assertThat(one.botToken()).isNotEqualTo(two.botToken());
        assertThat(one.signingSecret()).isNotEqualTo(two.signingSecret());
        assertThat(one.toString()).doesNotContain(one.botToken()).doesNotContain(one.signingSecret());
    }
}
