package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.slack.SlackWebApi;
import dev.gantry.testing.Fixtures;
import java.io.PrintStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The local Slack as the functions' real Slack adapter sees it: Slack's Web API, its answers and its refusals. */
class LocalSlackIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SlackWebApi.RetryPolicy ONCE = new SlackWebApi.RetryPolicy(0, Duration.ZERO, 1, Duration.ZERO, Duration.ZERO,
            Duration.ofSeconds(5));
    private static final InteractionRequests.App APP = new InteractionRequests.App("T0LOCAL0001", "gantry-local", "A0LOCAL0001",
            LocalSlack.BOT_USER_ID, LocalSlack.BOT_ID);

    private final LocalSecrets secrets = LocalSecrets.generate();
    private LocalSlack slack;

    @BeforeEach
    void start() throws Exception {
        slack = new LocalSlack(0, new SlackWorkspace(Clock.systemUTC()),
                new InteractionRequests(Fixtures.root().resolve("events"), APP, secrets::signingSecret), APP,
                List.of(new InteractionRequests.User("U0LOCAL0001", "approver")), secrets.botToken(), Clock.systemUTC(),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void postsRepliesAndUpdatesInPlaceAsSlackAnswers() {
        SlackWebApi api = api(secrets.botToken());

        ChatGateway.Posted headline = api.post("#releases", ChatMessage.plain("*payments-api* deploying"), null);
        ChatGateway.Posted reply = api.post(headline.channelId(), ChatMessage.plain("staging: rollout completed"), headline.ts());
        api.update(headline.channelId(), headline.ts(), ChatMessage.plain("*payments-api* deployed"));

        assertThat(headline.channelId()).as("Slack answers with the channel's id, not its name").startsWith("C0LOCAL");
        assertThat(reply.channelId()).isEqualTo(headline.channelId());
        assertThat(Double.parseDouble(reply.ts())).isGreaterThan(Double.parseDouble(headline.ts()));
        List<SlackWorkspace.Message> messages = slack.workspace().messages();
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0).text()).isEqualTo("*payments-api* deployed");
        assertThat(messages.get(0).edits()).isEqualTo(1);
        assertThat(messages.get(1).threadTs()).isEqualTo(headline.ts());
    }

    @Test
    void refusesAsSlackDoes() {
        assertThatThrownBy(() -> api("fake-local-bot-token-of-another-run").post("#releases", ChatMessage.plain("hi"), null))
                .isInstanceOfSatisfying(ChatGateway.AppRefusedException.class, e -> assertThat(e.error()).isEqualTo("invalid_auth"));
        SlackWebApi api = api(secrets.botToken());
        assertThatThrownBy(() -> api.post("C0NOTHERE1", ChatMessage.plain("hi"), null))
                .isInstanceOfSatisfying(ChatGateway.RejectedException.class, e -> assertThat(e.error()).isEqualTo("channel_not_found"));
        ChatGateway.Posted posted = api.post("#releases", ChatMessage.plain("hi"), null);
        assertThatThrownBy(() -> api.update(posted.channelId(), "1.000001", ChatMessage.plain("hi")))
                .isInstanceOfSatisfying(ChatGateway.RejectedException.class, e -> assertThat(e.error()).isEqualTo("message_not_found"));
        assertThatThrownBy(() -> api.post("#releases", ChatMessage.plain("hi"), "1.000001"))
                .isInstanceOfSatisfying(ChatGateway.RejectedException.class, e -> assertThat(e.error()).isEqualTo("thread_not_found"));
        assertThat(slack.workspace().messages()).hasSize(1);
    }

    @Test
    void aClickOnAButtonNoLongerShownIsNotSent() throws Exception {
        ChatGateway.Posted posted = api(secrets.botToken()).post("#releases", ChatMessage.plain("no buttons here"), null);

        JsonNode answer = click(JSON.createObjectNode().put("channel", posted.channelId()).put("ts", posted.ts())
                .put("blockId", "approval:ga_1").put("actionId", "gantry.gate.approve").put("value", "ga_1").put("user", "U0LOCAL0001")
                .toString());

        assertThat(answer.path("error").asText()).isEqualTo("that button is no longer on the message");
        assertThat(slack.workspace().clicks()).isEmpty();
    }

    private SlackWebApi api(String token) {
        return new SlackWebApi(() -> token, slack.apiUrl(), ONCE, SlackWebApi.Sleeper.THREAD);
    }

    private JsonNode click(String body) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(slack.apiUrl() + "/click"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(answer.body());
        }
    }
}
