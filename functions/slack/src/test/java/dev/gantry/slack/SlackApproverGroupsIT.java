package dev.gantry.slack;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Slack Web API's {@code usergroups.users.list} on a loopback WireMock server. */
class SlackApproverGroupsIT {

    private static final String FAKE_TOKEN = "fake-slack-bot-token-for-tests";
    private static final String PATH = "/api/usergroups.users.list";
    private static final String RELEASE_MANAGERS = "S0614TZR7";
    private static final String ON_CALL = "S0615G0KT";

    private static WireMockServer server;
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final AtomicInteger tokenReads = new AtomicInteger();
    private final Supplier<String> token = () -> {
        tokenReads.incrementAndGet();
        return FAKE_TOKEN;
    };
    private SlackApproverGroups groups;

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
        groups = new SlackApproverGroups(token, URI.create(server.baseUrl()), clock);
    }

    @Test
    void returnsTheMembersOfAGroup() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ","U061F7AUR"]}""")));

        Map<String, Set<String>> members = groups.members(List.of(RELEASE_MANAGERS));

        assertThat(members).containsOnlyKeys(RELEASE_MANAGERS);
        assertThat(members.get(RELEASE_MANAGERS)).containsExactlyInAnyOrder("U060RNRCZ", "U061F7AUR");
    }

    @Test
    void resolvesAGroupWithoutMembersAsEmpty() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":[]}""")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEqualTo(Map.of(RELEASE_MANAGERS, Set.of()));
    }

    @Test
    void asksForTheGroupWithTheBotTokenAsBearer() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""")));

        groups.members(List.of(RELEASE_MANAGERS));

        LoggedRequest request = single();
        assertThat(request.getMethod().getName()).isEqualTo("GET");
        assertThat(request.getUrl()).isEqualTo(PATH + "?usergroup=" + RELEASE_MANAGERS);
        assertThat(request.queryParameter("usergroup").values()).containsExactly(RELEASE_MANAGERS);
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer " + FAKE_TOKEN);
    }

    @Test
    void leavesAGroupSlackDoesNotKnowUnresolved() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":false,"error":"no_such_subteam"}""")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();
    }

    @Test
    void leavesGroupsUnresolvedWhenTheTokenIsRefused() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(ok("""
                {"ok":false,"error":"invalid_auth"}""")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS, ON_CALL))).isEmpty();
    }

    @Test
    void leavesAGroupUnresolvedWhenRateLimited() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")
                .withHeader("Content-Type", "application/json").withBody("""
                        {"ok":false,"error":"ratelimited"}""")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();
    }

    @Test
    void leavesAGroupUnresolvedOnAServerError() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(aResponse().withStatus(500).withBody("upstream failure")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();
    }

    @Test
    void leavesAGroupUnresolvedWhenTheBodyIsNotJson() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("<html>maintenance</html>")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();
    }

    @Test
    void leavesAGroupUnresolvedWhenOkCarriesNoUserList() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":"U060RNRCZ"}""")));

        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();
    }

    @Test
    void leavesAGroupUnresolvedWhenSlackIsTooSlow() {
        SlackApproverGroups impatient = new SlackApproverGroups(token, URI.create(server.baseUrl()), Duration.ofMillis(300), clock);
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""").withFixedDelay(3_000)));

        long started = System.nanoTime();
        Map<String, Set<String>> members = impatient.members(List.of(RELEASE_MANAGERS));

        assertThat(members).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(2_500));
    }

    @Test
    void answersFromItsCacheForFiveMinutesThenAsksAgain() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""")));
        groups.members(List.of(RELEASE_MANAGERS));

        clock.advance(Duration.ofMinutes(5).minusSeconds(1));
        Map<String, Set<String>> cached = groups.members(List.of(RELEASE_MANAGERS));

        assertThat(cached.get(RELEASE_MANAGERS)).containsExactly("U060RNRCZ");
        assertThat(server.findAll(anyRequestedFor(anyUrl()))).hasSize(1);
        assertThat(tokenReads).hasValue(1);

        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ","U061F7AUR"]}""")));
        clock.advance(Duration.ofSeconds(1));
        Map<String, Set<String>> refetched = groups.members(List.of(RELEASE_MANAGERS));

        assertThat(refetched.get(RELEASE_MANAGERS)).containsExactlyInAnyOrder("U060RNRCZ", "U061F7AUR");
        assertThat(server.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
    }

    @Test
    void asksAgainAboutAGroupItCouldNotResolve() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(aResponse().withStatus(503)));
        assertThat(groups.members(List.of(RELEASE_MANAGERS))).isEmpty();

        server.resetMappings();
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""")));
        Map<String, Set<String>> members = groups.members(List.of(RELEASE_MANAGERS));

        assertThat(members.get(RELEASE_MANAGERS)).containsExactly("U060RNRCZ");
        assertThat(server.findAll(anyRequestedFor(anyUrl()))).hasSize(2);
    }

    @Test
    void keepsAnswersForTheGroupsItResolvedWhenAnotherFails() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""")));
        server.stubFor(usersOf(ON_CALL).willReturn(ok("""
                {"ok":false,"error":"no_such_subteam"}""")));

        Map<String, Set<String>> members = groups.members(List.of(RELEASE_MANAGERS, ON_CALL));

        assertThat(members).containsOnlyKeys(RELEASE_MANAGERS);
    }

    @Test
    void asksOnceForEachGroup() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":true,"users":["U060RNRCZ"]}""")));
        server.stubFor(usersOf(ON_CALL).willReturn(ok("""
                {"ok":true,"users":["U061F7AUR","U062KQ3LM"]}""")));

        Map<String, Set<String>> members = groups.members(List.of(RELEASE_MANAGERS, ON_CALL, RELEASE_MANAGERS));

        assertThat(members).isEqualTo(Map.of(RELEASE_MANAGERS, Set.of("U060RNRCZ"), ON_CALL, Set.of("U061F7AUR", "U062KQ3LM")));
        List<LoggedRequest> requests = server.findAll(anyRequestedFor(anyUrl()));
        assertThat(requests).extracting(r -> r.queryParameter("usergroup").firstValue())
                .containsExactlyInAnyOrder(RELEASE_MANAGERS, ON_CALL);
    }

    @Test
    void asksNothingWhenTheBotTokenCannotBeRead() {
        SlackApproverGroups withoutToken = new SlackApproverGroups(() -> {
            throw new IllegalStateException("secret arn:aws:secretsmanager:eu-west-1:111122223333:secret:gantry-slack is unreadable");
        }, URI.create(server.baseUrl()), clock);

        assertThat(withoutToken.members(List.of(RELEASE_MANAGERS))).isEmpty();
        assertThat(server.findAll(anyRequestedFor(anyUrl()))).isEmpty();
    }

    @Test
    void logsWhyAGroupIsUnresolvedWithoutTheToken() {
        server.stubFor(usersOf(RELEASE_MANAGERS).willReturn(ok("""
                {"ok":false,"error":"invalid_auth"}""")));

        String logged = capturingStandardError(() -> groups.members(List.of(RELEASE_MANAGERS)));

        assertThat(logged).contains(RELEASE_MANAGERS).contains("invalid_auth").doesNotContain(FAKE_TOKEN);
    }

    private static MappingBuilder usersOf(String group) {
        return get(urlPathEqualTo(PATH)).withQueryParam("usergroup", equalTo(group));
    }

    private static ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
    }

    private static LoggedRequest single() {
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
