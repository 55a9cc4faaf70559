package dev.gantry.slack;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ChatGateway.AppRefusedException;
import dev.gantry.core.notify.ChatGateway.MessageRefusedException;
import dev.gantry.core.notify.ChatGateway.Posted;
import dev.gantry.core.notify.ChatGateway.RateLimitedException;
import dev.gantry.core.notify.ChatGateway.RejectedException;
import dev.gantry.core.notify.ChatGateway.UnavailableException;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.ChatMessage.Actions;
import dev.gantry.core.notify.ChatMessage.Button;
import dev.gantry.core.notify.ChatMessage.Header;
import dev.gantry.core.notify.ChatMessage.Section;
import dev.gantry.core.notify.ChatMessage.Style;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ThreadKey;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * chat.postMessage, chat.update, a response_url, and the lookup of a headline (users.conversations,
 * conversations.history) on a loopback WireMock server that records what it was sent.
 */
class SlackWebApiIT {

    private static final String TOKEN = "test-bot-token-not-real";
    private static final String POST_MESSAGE = "/api/chat.postMessage";
    private static final String UPDATE = "/api/chat.update";
    private static final String HISTORY = "/api/conversations.history";
    private static final String MEMBER_CHANNELS = "/api/users.conversations";
    private static final ThreadKey THREAD = ThreadKey.release("payments-api",
            new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd"));
    private static final PostingMarker MARKER = new PostingMarker("6f1c2b7e-9a4d-4c1e-8f3a-2d5b7c9e1a40",
            Instant.parse("2026-11-23T10:00:00.123456789Z"));
    private static final String HEADLINE_METADATA = """
            {"event_type":"gantry_release_thread_started","event_payload":{"thread_kind":"RELEASE","thread_name":"payments-api",
             "thread_id":"sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd",
             "marker":"6f1c2b7e-9a4d-4c1e-8f3a-2d5b7c9e1a40"}}""";
    private static final String RESPONSE_PATH = "/actions/T0GANTRY1/1000000000005/test-response-url-not-real";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChatMessage APPROVAL_CARD = new ChatMessage("payments-api 1.4.0 waits for approval", List.of(
            new Header("payments-api 1.4.0 → prod"),
            new Section("*payments-api* `1.4.0` waits for approval"),
            new Actions("approval:rel-0042", List.of(
                    new Button("gantry.approve", "Approve", "apr-7f3c2a", Style.PRIMARY, null, null)))));

    private static WireMockServer server;
    private final List<Duration> slept = new ArrayList<>();
    private SlackWebApi slack;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        slept.clear();
        slack = api(SlackWebApi.RetryPolicy.DEFAULTS);
    }

    @Test
    void postsAMessageAndAnswersWhereItLanded() throws Exception {
        // given
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0RELEASES","ts":"1763892000.000100","message":{"text":"x"}}""")));

        // when
        Posted posted = slack.post("#releases", APPROVAL_CARD, null);

        // then
        assertThat(posted).isEqualTo(new Posted("C0RELEASES", "1763892000.000100"));
        LoggedRequest request = onlyRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.path("channel").asText()).isEqualTo("#releases");
        assertThat(body.path("text").asText()).isEqualTo("payments-api 1.4.0 waits for approval");
        assertThat(body.has("thread_ts")).isFalse();
        assertThat(body.path("blocks")).hasSize(3);
        assertThat(body.path("blocks").get(0).path("type").asText()).isEqualTo("header");
        assertThat(body.path("blocks").get(2).path("elements").get(0).path("action_id").asText())
                .isEqualTo("gantry.approve");
    }

    @Test
    void postsIntoAThread() throws Exception {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0RELEASES","ts":"1763892100.000200"}""")));

        slack.post("C0RELEASES", ChatMessage.plain("rolling out"), "1763892000.000100");

        assertThat(JSON.readTree(onlyRequest().getBodyAsString()).path("thread_ts").asText())
                .isEqualTo("1763892000.000100");
    }

    @Test
    void sendsNoBlocksWhenNoneHaveAnythingToShow() throws Exception {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0RELEASES","ts":"1763892100.000200"}""")));

        slack.post("C0RELEASES", new ChatMessage("deploy started", List.of(new Section(" "))), null);

        JsonNode body = JSON.readTree(onlyRequest().getBodyAsString());
        assertThat(body.has("blocks")).isFalse();
        assertThat(body.path("text").asText()).isEqualTo("deploy started");
    }

    @Test
    void updatesAMessageInPlace() throws Exception {
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("""
                {"ok":true,"channel":"C0RELEASES","ts":"1763892000.000100","text":"x"}""")));

        slack.update("C0RELEASES", "1763892000.000100", APPROVAL_CARD);

        LoggedRequest request = onlyRequest();
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.path("channel").asText()).isEqualTo("C0RELEASES");
        assertThat(body.path("ts").asText()).isEqualTo("1763892000.000100");
        assertThat(body.path("blocks")).hasSize(3);
    }

    @Test
    void answersThroughTheResponseUrlWithoutTheToken() throws Exception {
        // given
        server.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(ok("""
                {"ok":true}""")));

        // when
        slack.respond(server.baseUrl() + RESPONSE_PATH, ChatMessage.plain("Approved by <@U0BOB00001>"), true, true);

        // then
        LoggedRequest request = onlyRequest();
        assertThat(request.containsHeader("Authorization")).isFalse();
        JsonNode body = JSON.readTree(request.getBodyAsString());
        assertThat(body.path("replace_original").asBoolean()).isTrue();
        assertThat(body.path("response_type").asText()).isEqualTo("ephemeral");
        assertThat(body.path("text").asText()).isEqualTo("Approved by <@U0BOB00001>");
        assertThat(body.path("blocks").get(0).path("type").asText()).isEqualTo("section");
    }

    @Test
    void answersInTheChannelWithoutReplacingWhenAsked() throws Exception {
        server.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(aResponse().withStatus(200).withBody("ok")));

        slack.respond(server.baseUrl() + RESPONSE_PATH, ChatMessage.plain("Deploying"), false, false);

        JsonNode body = JSON.readTree(onlyRequest().getBodyAsString());
        assertThat(body.path("replace_original").asBoolean()).isFalse();
        assertThat(body.path("response_type").asText()).isEqualTo("in_channel");
    }

    @Test
    void refusesAnExpiredResponseUrlWithoutRetrying() {
        server.stubFor(post(urlPathEqualTo(RESPONSE_PATH)).willReturn(aResponse().withStatus(404).withBody("expired_url")));

        assertThatThrownBy(() -> slack.respond(server.baseUrl() + RESPONSE_PATH, ChatMessage.plain("late"), true, false))
                .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.error()).isEqualTo("expired_url"));
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @Test
    void waitsOutARateLimitForTheTimeSlackAskedThenPosts() {
        // given one 429 asking for a second, then success
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("rate limit").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "1"))
                .willSetStateTo("waited"));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("rate limit").whenScenarioStateIs("waited")
                .willReturn(ok("""
                        {"ok":true,"channel":"C0RELEASES","ts":"1763892000.000100"}""")));

        // when
        Posted posted = slack.post("C0RELEASES", APPROVAL_CARD, null);

        // then
        assertThat(posted.ts()).isEqualTo("1763892000.000100");
        assertThat(slept).containsExactly(Duration.ofSeconds(1));
        assertThat(server.getAllServeEvents()).hasSize(2);
    }

    @Test
    void refusesAResponseUrlItCannotAnswerThroughWithoutRepeatingIt() {
        for (String broken : List.of(server.baseUrl() + "/commands/T0GANTRY1/1/fake-response-url-token|x", "http:}2F/fake-response-url-token",
                "ftp://hooks.example/fake-response-url-token")) {
            assertThatThrownBy(() -> slack.respond(broken, ChatMessage.plain("late"), true, false))
                    .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.error()).isEqualTo("invalid_response_url"))
                    .hasNoCause()
                    .message().doesNotContain("fake-response-url-token");
        }
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void givesUpAtOnceWhenSlackAsksForMoreThanTheWaitBudget() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(30));
        assertThat(slept).isEmpty();
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @Test
    void givesUpAfterTwoRateLimitRetries() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "2")));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(2));
        assertThat(slept).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
        assertThat(server.getAllServeEvents()).hasSize(3);
    }

    @Test
    void stopsWaitingWhenTheNextWaitWouldPassTheBudget() {
        // given a 6 s Retry-After: the first wait fits in 10 s, a second would make 12
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE))
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "6")));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOf(RateLimitedException.class);
        assertThat(slept).containsExactly(Duration.ofSeconds(6));
        assertThat(server.getAllServeEvents()).hasSize(2);
    }

    @Test
    void treatsAnOkFalseRatelimitedAnswerAsARateLimit() {
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("""
                {"ok":false,"error":"ratelimited"}""").withHeader("Retry-After", "20")));

        assertThatThrownBy(() -> slack.update("C0RELEASES", "1763892000.000100", APPROVAL_CARD))
                .isInstanceOfSatisfying(RateLimitedException.class,
                        e -> assertThat(e.retryAfterSeconds()).isEqualTo(20));
    }

    @Test
    void retriesAServerErrorAfterABackoffThenPosts() {
        // given two 503s, then success
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("outage").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("once"));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("outage").whenScenarioStateIs("once")
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("outage").whenScenarioStateIs("recovered")
                .willReturn(ok("""
                        {"ok":true,"channel":"C0RELEASES","ts":"1763892000.000100"}""")));

        // when
        Posted posted = slack.post("C0RELEASES", APPROVAL_CARD, null);

        // then: 200 ms then 400 ms, each the upper half jittered at its middle
        assertThat(posted.channelId()).isEqualTo("C0RELEASES");
        assertThat(slept).containsExactly(Duration.ofMillis(150), Duration.ofMillis(300));
        assertThat(server.getAllServeEvents()).hasSize(3);
    }

    @Test
    void givesUpAsUnavailableWhenServerErrorsPersist() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(aResponse().withStatus(500)));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("HTTP 500");
        assertThat(server.getAllServeEvents()).hasSize(3);
        assertThat(slept).hasSize(2);
    }

    @Test
    void retriesAnAnswerThatIsNotFromTheWebApi() {
        // given something in between answering 200 with a page of its own
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>maintenance</html>")));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("not a Web API response");
        assertThat(server.getAllServeEvents()).hasSize(3);
    }

    @Test
    void givesUpAsUnavailableWhenSlackDoesNotAnswerInTime() {
        // given a server slower than a 200 ms request timeout
        slack = api(new SlackWebApi.RetryPolicy(2, Duration.ofSeconds(10), 2, Duration.ofMillis(200),
                Duration.ofSeconds(2), Duration.ofMillis(200)));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0RELEASES","ts":"1763892000.000100"}""").withFixedDelay(1_000)));

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("2 attempts");
        assertThat(slept).hasSize(1);
    }

    @Test
    void rejectsAnUnknownChannelWithoutRetrying() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":false,"error":"channel_not_found"}""")));

        assertThatThrownBy(() -> slack.post("C0NOWHERE", APPROVAL_CARD, null))
                .isInstanceOfSatisfying(RejectedException.class,
                        e -> assertThat(e.error()).isEqualTo("channel_not_found"));
        assertThat(server.getAllServeEvents()).hasSize(1);
        assertThat(slept).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"channel_not_found", "is_archived", "not_in_channel", "message_not_found", "cant_update_message",
            "edit_window_closed"})
    void rejectsWhatSlackRefusesAboutTheChannelOrMessageWithoutRetrying(String error) {
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("{\"ok\":false,\"error\":\"" + error + "\"}")));

        assertThatThrownBy(() -> slack.update("C0PAYMENTS", "1763892000.000100", APPROVAL_CARD))
                .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.error()).isEqualTo(error))
                .hasMessageContaining("chat.update");
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
    void retriesSlacksTemporaryErrorsAndThenGivesUpAsUnavailable(String error) {
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("{\"ok\":false,\"error\":\"" + error + "\"}")));

        assertThatThrownBy(() -> slack.update("C0PAYMENTS", "1763892000.000100", APPROVAL_CARD))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("chat.update failed after 3 attempts")
                .hasMessageContaining(error);
        assertThat(server.getAllServeEvents()).hasSize(3);
        assertThat(slept).hasSize(2);
    }

    @Test
    void looksForAHeadlineSlacksInternalErrorMayHavePostedBeforePostingItAgain() {
        // given Slack failing with an error that may come after the post was made, and the post in the channel
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":false,"error":"internal_error"}""")));
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":true,"has_more":false,"messages":[{"type":"message","ts":"1795428000.000100","metadata":%s}]}"""
                .formatted(HEADLINE_METADATA))));

        Posted posted = slack.postHeadline("C0PAYMENTS", APPROVAL_CARD, THREAD, MARKER);

        assertThat(posted).isEqualTo(new Posted("C0PAYMENTS", "1795428000.000100"));
        assertThat(server.findAll(postRequestedFor(urlPathEqualTo(POST_MESSAGE)))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"})
    void refusesATokenSlackRefusesAsTheAppsProblemAndReadsItAfreshNextTime(String error) {
        // given a token Slack refuses, which reading it afresh does not change
        AtomicInteger forgotten = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        slack = new SlackWebApi(() -> {
            reads.incrementAndGet();
            return TOKEN;
        }, forgotten::incrementAndGet, URI.create(server.baseUrl()), SlackWebApi.RetryPolicy.DEFAULTS, slept::add, () -> 0.5);
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("{\"ok\":false,\"error\":\"" + error + "\"}")));

        assertThatThrownBy(() -> slack.update("C0PAYMENTS", "1763892000.000100", APPROVAL_CARD))
                .isInstanceOfSatisfying(AppRefusedException.class, e -> assertThat(e.error()).isEqualTo(error))
                .hasMessageContaining("chat.update")
                .message().doesNotContain(TOKEN);
        assertThat(forgotten).as("the cached token is dropped").hasValue(1);
        assertThat(server.getAllServeEvents()).as("the same token is not sent twice").hasSize(1);
        assertThat(slept).isEmpty();
    }

    @Test
    void triesOnceMoreWithTheTokenReadAfreshWhenSlackRefusesTheCachedOne() {
        // given a cached token that was rotated: Slack refuses it, and reading the secret again gives the new one
        String revoked = "test-bot-token-revoked-not-real";
        AtomicReference<String> cached = new AtomicReference<>(revoked);
        slack = new SlackWebApi(cached::get, () -> cached.set(TOKEN), URI.create(server.baseUrl()), SlackWebApi.RetryPolicy.DEFAULTS,
                slept::add, () -> 0.5);
        server.stubFor(post(urlPathEqualTo(UPDATE)).withHeader("Authorization", equalTo("Bearer " + revoked)).willReturn(ok("""
                {"ok":false,"error":"token_revoked"}""")));
        server.stubFor(post(urlPathEqualTo(UPDATE)).withHeader("Authorization", equalTo("Bearer " + TOKEN)).willReturn(ok("""
                {"ok":true,"channel":"C0PAYMENTS","ts":"1763892000.000100"}""")));

        slack.update("C0PAYMENTS", "1763892000.000100", APPROVAL_CARD);

        assertThat(server.findAll(postRequestedFor(urlPathEqualTo(UPDATE)))).extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer " + revoked, "Bearer " + TOKEN);
    }

    @ParameterizedTest
    @ValueSource(strings = {"msg_too_long", "invalid_blocks", "invalid_blocks_format", "no_text"})
    void refusesAMessageSlackCannotShowWithoutRetrying(String error) {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("{\"ok\":false,\"error\":\"" + error + "\"}")));

        assertThatThrownBy(() -> slack.post("C0PAYMENTS", APPROVAL_CARD, "1763892000.000100"))
                .isInstanceOfSatisfying(MessageRefusedException.class, e -> assertThat(e.error()).isEqualTo(error));
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @Test
    void refusesAnErrorItDoesNotKnowAsTheAppsProblemRatherThanTheThreads() {
        server.stubFor(post(urlPathEqualTo(UPDATE)).willReturn(ok("""
                {"ok":false,"error":"some_error_slack_adds_later"}""")));

        assertThatThrownBy(() -> slack.update("C0PAYMENTS", "1763892000.000100", APPROVAL_CARD))
                .isInstanceOfSatisfying(AppRefusedException.class, e -> assertThat(e.error()).isEqualTo("some_error_slack_adds_later"));
        assertThat(server.getAllServeEvents()).hasSize(1);
    }

    @Test
    void neverLogsTheToken() {
        // given failures that are logged on their way to an answer
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(aResponse().withStatus(502)));

        // when
        String logged = capturingStandardError(() -> assertThatThrownBy(
                () -> slack.post("C0RELEASES", APPROVAL_CARD, null)).isInstanceOf(UnavailableException.class));

        // then
        assertThat(logged).contains("HTTP 502").doesNotContain(TOKEN);
    }

    @Test
    void keepsAFailingTokenSupplierOutOfTheRequest() {
        slack = new SlackWebApi(() -> {
            throw new IllegalStateException("secret not readable");
        }, URI.create(server.baseUrl()), SlackWebApi.RetryPolicy.DEFAULTS, slept::add);

        assertThatThrownBy(() -> slack.post("C0RELEASES", APPROVAL_CARD, null))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("secret not readable");
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void postsAHeadlineCarryingItsThreadAndMarkerAsMessageMetadata() throws Exception {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0PAYMENTS","ts":"1795428000.000100"}""")));

        Posted posted = slack.postHeadline("#payments-releases", APPROVAL_CARD, THREAD, MARKER);

        assertThat(posted).isEqualTo(new Posted("C0PAYMENTS", "1795428000.000100"));
        JsonNode body = JSON.readTree(onlyRequest().getBodyAsString());
        assertThat(body.path("channel").asText()).isEqualTo("#payments-releases");
        assertThat(body.has("thread_ts")).isFalse();
        assertThat(body.path("metadata")).isEqualTo(JSON.readTree(HEADLINE_METADATA));
        assertThat(body.path("blocks")).hasSize(3);
    }

    @Test
    void findsAHeadlineByItsMetadataInTheHistoryOfTheChannelItNames() {
        // given the channel on the second page of the bot's channels, and the headline among other messages
        server.stubFor(get(urlPathEqualTo(MEMBER_CHANNELS)).withQueryParam("cursor", equalTo("dGVhbTpDMDYxRkE1UEI="))
                .willReturn(ok("""
                        {"ok":true,"channels":[{"id":"C0PAYMENTS","name":"payments-releases"}],"response_metadata":{"next_cursor":""}}""")));
        server.stubFor(get(urlPathEqualTo(MEMBER_CHANNELS)).atPriority(10).willReturn(ok("""
                {"ok":true,"channels":[{"id":"C0RELEASES","name":"releases"},{"id":"C0PAYMENTSX","name":"payments-releases-archive"}],
                 "response_metadata":{"next_cursor":"dGVhbTpDMDYxRkE1UEI="}}""")));
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":true,"has_more":false,"messages":[
                  {"type":"message","ts":"1795428000.000400","text":"someone else"},
                  {"type":"message","ts":"1795428000.000300","thread_ts":"1795428000.000100","subtype":"thread_broadcast","metadata":%s},
                  {"type":"message","ts":"1795428000.000200","metadata":{"event_type":"gantry_release_thread_started",
                   "event_payload":{"thread_kind":"RELEASE","thread_name":"payments-api","thread_id":"sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd",
                   "marker":"another-delivery"}}},
                  {"type":"message","ts":"1795428000.000100","bot_id":"B0GANTRY","metadata":%s}]}""".formatted(HEADLINE_METADATA,
                HEADLINE_METADATA))));

        Optional<Posted> found = slack.findHeadline("#payments-releases", THREAD, MARKER);

        assertThat(found).contains(new Posted("C0PAYMENTS", "1795428000.000100"));
        List<LoggedRequest> channels = server.findAll(getRequestedFor(urlPathEqualTo(MEMBER_CHANNELS)));
        assertThat(channels).hasSize(2);
        assertThat(channels.get(0).queryParameter("types").firstValue()).isEqualTo("public_channel,private_channel");
        assertThat(channels.get(0).queryParameter("exclude_archived").firstValue()).isEqualTo("true");
        LoggedRequest history = server.findAll(getRequestedFor(urlPathEqualTo(HISTORY))).getFirst();
        assertThat(history.getHeader("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(history.queryParameter("channel").firstValue()).isEqualTo("C0PAYMENTS");
        assertThat(history.queryParameter("include_all_metadata").firstValue()).isEqualTo("true");
        // From five minutes before the marker to twenty after: the invocation that saved it posts within fifteen.
        assertThat(history.queryParameter("oldest").firstValue()).isEqualTo("1795427700.123456");
        assertThat(history.queryParameter("latest").firstValue()).isEqualTo("1795429200.123456");
        assertThat(history.queryParameter("limit").firstValue()).isEqualTo("200");
    }

    @Test
    void readsEveryPageOfTheWindowBeforeSayingTheHeadlineIsNotThere() {
        server.stubFor(get(urlPathEqualTo(HISTORY)).withQueryParam("cursor", equalTo("bmV4dF90czoxNzk1NDI4MDAwMDAwMTAw"))
                .willReturn(ok("""
                        {"ok":true,"has_more":false,"messages":[{"type":"message","ts":"1795427800.000100","text":"older"}]}""")));
        server.stubFor(get(urlPathEqualTo(HISTORY)).atPriority(10).willReturn(ok("""
                {"ok":true,"has_more":true,"messages":[{"type":"message","ts":"1795428100.000100","text":"newer"}],
                 "response_metadata":{"next_cursor":"bmV4dF90czoxNzk1NDI4MDAwMDAwMTAw"}}""")));

        Optional<Posted> found = slack.findHeadline("C0PAYMENTS", THREAD, MARKER);

        assertThat(found).isEmpty();
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo(HISTORY)))).hasSize(2);
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo(MEMBER_CHANNELS)))).as("an id is read as it is").isEmpty();
    }

    @Test
    void refusesToLookInAChannelTheAppIsNotAMemberOf() {
        server.stubFor(get(urlPathEqualTo(MEMBER_CHANNELS)).willReturn(ok("""
                {"ok":true,"channels":[{"id":"C0RELEASES","name":"releases"}],"response_metadata":{"next_cursor":""}}""")));

        assertThatThrownBy(() -> slack.findHeadline("#payments-releases", THREAD, MARKER))
                .isInstanceOfSatisfying(RejectedException.class, e -> assertThat(e.error()).isEqualTo("not_in_channel"))
                .hasMessageContaining("#payments-releases");
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo(HISTORY)))).isEmpty();
    }

    @Test
    void namesTheScopeSlackSaysTheLookupNeeds() {
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":false,"error":"missing_scope","needed":"groups:history","provided":"chat:write,chat:write.public,channels:history"}""")));

        assertThatThrownBy(() -> slack.findHeadline("G0PRIVATE1", THREAD, MARKER))
                .isInstanceOfSatisfying(AppRefusedException.class, e -> assertThat(e.error()).isEqualTo("missing_scope"))
                .hasMessageContaining("needs scope groups:history");
    }

    @Test
    void looksForAHeadlineWhoseAnswerWasLostInsteadOfPostingItAgain() {
        // given Slack taking the post and answering after the client gave up, then showing it in the channel
        slack = api(new SlackWebApi.RetryPolicy(2, Duration.ofSeconds(10), 3, Duration.ofMillis(200), Duration.ofSeconds(2),
                Duration.ofMillis(200)));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(ok("""
                {"ok":true,"channel":"C0PAYMENTS","ts":"1795428000.000100"}""").withFixedDelay(1_000)));
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":true,"has_more":false,"messages":[{"type":"message","ts":"1795428000.000100","metadata":%s}]}"""
                .formatted(HEADLINE_METADATA))));

        Posted posted = slack.postHeadline("C0PAYMENTS", APPROVAL_CARD, THREAD, MARKER);

        assertThat(posted).isEqualTo(new Posted("C0PAYMENTS", "1795428000.000100"));
        assertThat(server.findAll(postRequestedFor(urlPathEqualTo(POST_MESSAGE)))).hasSize(1);
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo(HISTORY)))).hasSize(1);
    }

    @Test
    void postsTheHeadlineAgainOnlyAfterFindingTheFailedAttemptDidNotPost() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("outage").whenScenarioStateIs(STARTED)
                .willReturn(aResponse().withStatus(503)).willSetStateTo("recovered"));
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).inScenario("outage").whenScenarioStateIs("recovered")
                .willReturn(ok("""
                        {"ok":true,"channel":"C0PAYMENTS","ts":"1795428000.000200"}""")));
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":true,"has_more":false,"messages":[]}""")));

        Posted posted = slack.postHeadline("C0PAYMENTS", APPROVAL_CARD, THREAD, MARKER);

        assertThat(posted.ts()).isEqualTo("1795428000.000200");
        assertThat(server.findAll(postRequestedFor(urlPathEqualTo(POST_MESSAGE)))).hasSize(2);
        assertThat(server.findAll(getRequestedFor(urlPathEqualTo(HISTORY)))).hasSize(1);
        assertThat(slept).containsExactly(Duration.ofMillis(150));
    }

    @Test
    void givesUpWithoutPostingAgainWhenTheFailedAttemptCannotBeLookedFor() {
        server.stubFor(post(urlPathEqualTo(POST_MESSAGE)).willReturn(aResponse().withStatus(502)));
        server.stubFor(get(urlPathEqualTo(HISTORY)).willReturn(ok("""
                {"ok":false,"error":"not_in_channel"}""")));

        assertThatThrownBy(() -> slack.postHeadline("C0PAYMENTS", APPROVAL_CARD, THREAD, MARKER))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("could not be checked")
                .hasMessageContaining("not_in_channel");
        assertThat(server.findAll(postRequestedFor(urlPathEqualTo(POST_MESSAGE)))).hasSize(1);
    }

    @Test
    void repeatsAHeadlineThatNeverReachedSlackWithoutLookingForIt() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        slack = new SlackWebApi(() -> TOKEN, URI.create("http://127.0.0.1:" + closed), SlackWebApi.RetryPolicy.DEFAULTS, slept::add, () -> 0.5);

        assertThatThrownBy(() -> slack.postHeadline("C0PAYMENTS", APPROVAL_CARD, THREAD, MARKER))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("chat.postMessage failed after 3 attempts")
                .hasMessageContaining("ConnectException")
                .message().doesNotContain("could not be checked");
    }

    private SlackWebApi api(SlackWebApi.RetryPolicy policy) {
        // Jitter fixed at its middle so the waits can be asserted.
        return new SlackWebApi(() -> TOKEN, URI.create(server.baseUrl()), policy, slept::add, () -> 0.5);
    }

    private static ResponseDefinitionBuilder ok(String json) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(json);
    }

    private static LoggedRequest onlyRequest() {
        List<LoggedRequest> requests = server.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).hasSize(1);
        return requests.get(0);
    }

    /** slf4j-simple writes to whatever {@code System.err} is when it logs. */
    private static String capturingStandardError(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
