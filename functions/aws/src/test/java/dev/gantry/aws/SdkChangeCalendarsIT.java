package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import dev.gantry.core.gate.ChangeCalendars.CalendarState;
import dev.gantry.core.gate.ChangeCalendars.ChangeCalendarException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ssm.SsmClient;

/** Systems Manager speaks AWS JSON 1.1: {@code POST /} named by {@code X-Amz-Target: AmazonSSM.<Operation>}. */
class SdkChangeCalendarsIT {

    private static final String TARGET = "AmazonSSM.GetCalendarState";
    private static final String CALENDAR_ARN = "arn:aws:ssm:eu-west-1:111122223333:document/release-freeze";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static WireMockServer server;
    private static SsmClient client;
    private SdkChangeCalendars calendars;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = SsmClient.builder()
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
        calendars = new SdkChangeCalendars(client);
    }

    @Test
    void readsAnOpenCalendarAndWhenItClosesNext() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"OPEN","AtTime":"2025-11-23T10:15:30Z","NextTransitionTime":"2025-12-20T00:00:00Z"}""")));

        CalendarState state = calendars.state("release-freeze");

        assertThat(state).isEqualTo(new CalendarState(true, Instant.parse("2025-12-20T00:00:00Z")));
        JsonNode request = single();
        assertThat(request.get("CalendarNames")).hasSize(1);
        assertThat(request.at("/CalendarNames/0").asText()).isEqualTo("release-freeze");
        assertThat(request.has("AtTime")).isFalse();
    }

    @Test
    void readsAClosedCalendarNamedByItsArn() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"CLOSED","AtTime":"2025-12-24T10:00:00Z","NextTransitionTime":"2026-01-02T08:00:00Z"}""")));

        CalendarState state = calendars.state(CALENDAR_ARN);

        assertThat(state).isEqualTo(new CalendarState(false, Instant.parse("2026-01-02T08:00:00Z")));
        assertThat(single().at("/CalendarNames/0").asText()).isEqualTo(CALENDAR_ARN);
    }

    @Test
    void readsATransitionTimeWrittenWithAnOffset() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"CLOSED","AtTime":"2025-12-24T10:00:00+01:00","NextTransitionTime":"2026-01-02T09:00:00+01:00"}""")));

        assertThat(calendars.state("release-freeze").nextTransition()).isEqualTo(Instant.parse("2026-01-02T08:00:00Z"));
    }

    @Test
    void hasNoNextTransitionWhenTheCalendarHasNoFurtherEvents() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"OPEN","AtTime":"2025-11-23T10:15:30Z"}""")));

        assertThat(calendars.state("release-freeze")).isEqualTo(new CalendarState(true, null));
    }

    @Test
    void readsABlankNextTransitionAsNone() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"CLOSED","AtTime":"2025-11-23T10:15:30Z","NextTransitionTime":" "}""")));

        assertThat(calendars.state("release-freeze")).isEqualTo(new CalendarState(false, null));
    }

    @Test
    void refusesATransitionTimeItCannotRead() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"OPEN","NextTransitionTime":"next Tuesday"}""")));

        assertThatThrownBy(() -> calendars.state("release-freeze"))
                .isInstanceOf(ChangeCalendarException.class)
                .hasMessageContaining("release-freeze")
                .hasMessageContaining("next Tuesday");
    }

    @Test
    void refusesAStateThatIsNeitherOpenNorClosed() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.json("""
                {"State":"PAUSED","AtTime":"2025-11-23T10:15:30Z"}""")));

        assertThatThrownBy(() -> calendars.state("release-freeze"))
                .isInstanceOf(ChangeCalendarException.class)
                .hasMessageContaining("change calendar release-freeze is in state PAUSED");
    }

    @Test
    void namesTheCalendarWhenSystemsManagerRefuses() {
        server.stubFor(getCalendarState().willReturn(JsonProtocolWire.error("InvalidDocument",
                "Document release-freez does not exist in your account")));

        assertThatThrownBy(() -> calendars.state("release-freez"))
                .isInstanceOf(ChangeCalendarException.class)
                .hasMessageContaining("GetCalendarState for change calendar release-freez was refused")
                .hasMessageContaining("InvalidDocument")
                .hasMessageContaining("does not exist")
                .message().doesNotContain("testaccesskey");
    }

    private static MappingBuilder getCalendarState() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET));
    }

    private static JsonNode single() {
        List<JsonNode> bodies = server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET))).stream()
                .map(r -> {
                    try {
                        return JSON.readTree(r.getBodyAsString());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                })
                .toList();
        assertThat(bodies).hasSize(1);
        return bodies.get(0);
    }
}
