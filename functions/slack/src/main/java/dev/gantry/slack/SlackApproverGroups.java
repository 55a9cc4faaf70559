package dev.gantry.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.gate.ApproverGroups;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ApproverGroups} over the Slack Web API method {@code usergroups.users.list} (bot token scope
 * {@code usergroups:read}).
 *
 * <p>Members of a resolved group are cached for {@link #CACHE_FOR}, so a gate looked at every minute asks Slack
 * about each group a few times an hour. A group Slack did not answer for (an error, {@code ok: false}, a timeout
 * of {@link #DEFAULT_TIMEOUT}, a body that is not the expected JSON, or no bot token) is absent from the answer,
 * is logged with the reason, and is asked about again on the next call.
 *
 * <p>This uses the JDK's HTTP client rather than the Slack SDK's: one read-only method does not justify the SDK
 * client's HTTP stack and its dependencies in every function jar, nor their class loading on a cold start.
 */
public final class SlackApproverGroups implements ApproverGroups {

    public static final URI DEFAULT_BASE_URL = URI.create("https://slack.com");
    public static final Duration CACHE_FOR = Duration.ofMinutes(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private static final String METHOD = "usergroups.users.list";
    private static final Logger LOG = LoggerFactory.getLogger(SlackApproverGroups.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<String> botToken;
    private final URI methodUrl;
    private final Duration timeout;
    private final HttpClient http;
    private final Clock clock;
    private final ConcurrentMap<String, CachedMembers> cache = new ConcurrentHashMap<>();

    /** Slack itself, with the bot token read from {@code botToken} only when a group has to be asked about. */
    public SlackApproverGroups(Supplier<String> botToken, Clock clock) {
        this(botToken, DEFAULT_BASE_URL, clock);
    }

    /** @param baseUrl where the Web API lives, e.g. a loopback test server; its methods are under {@code /api/} */
    public SlackApproverGroups(Supplier<String> botToken, URI baseUrl, Clock clock) {
        this(botToken, baseUrl, DEFAULT_TIMEOUT, clock);
    }

    SlackApproverGroups(Supplier<String> botToken, URI baseUrl, Duration timeout, Clock clock) {
        this.botToken = botToken;
        this.methodUrl = URI.create(baseUrl.toString().replaceAll("/+$", "") + "/api/" + METHOD);
        this.timeout = timeout;
        this.clock = clock;
        // HTTP/1.1: a request per group every few minutes gains nothing from HTTP/2, and on a plain-HTTP test
        // server the client would otherwise attempt an h2c upgrade first.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Map<String, Set<String>> members(Collection<String> groupIds) {
        Instant now = clock.instant();
        Map<String, Set<String>> resolved = new LinkedHashMap<>();
        Set<String> toAsk = new LinkedHashSet<>();
        for (String group : groupIds) {
            CachedMembers cached = cache.get(group);
            if (cached != null && now.isBefore(cached.fetchedAt().plus(CACHE_FOR))) {
                resolved.put(group, cached.members());
            } else {
                toAsk.add(group);
            }
        }
        if (toAsk.isEmpty()) {
            return Collections.unmodifiableMap(resolved);
        }
        Optional<String> token = token(toAsk);
        if (token.isEmpty()) {
            return Collections.unmodifiableMap(resolved);
        }
        for (String group : toAsk) {
            ask(group, token.get()).ifPresentOrElse(
                    members -> {
                        cache.put(group, new CachedMembers(members, now));
                        resolved.put(group, members);
                    },
                    () -> cache.remove(group));
        }
        return Collections.unmodifiableMap(resolved);
    }

    private Optional<String> token(Set<String> groups) {
        try {
            String token = botToken.get();
            if (token == null || token.isBlank()) {
                LOG.warn("Slack user groups {} not resolved: the bot token is empty", groups);
                return Optional.empty();
            }
            // A secret pasted with a trailing newline would otherwise fail as invalid_auth.
            return Optional.of(token.strip());
        } catch (RuntimeException e) {
            // Only the message: the token's supplier keeps the token out of it, a cause from deeper down might not.
            LOG.warn("Slack user groups {} not resolved: the bot token could not be read: {}", groups, e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<Set<String>> ask(String group, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(methodUrl + "?usergroup=" + URLEncoder.encode(group, StandardCharsets.UTF_8)))
                .timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .GET()
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            LOG.warn("Slack user group {} not resolved: {} failed: {}", group, METHOD, e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Slack user group {} not resolved: interrupted while asking {}", group, METHOD);
            return Optional.empty();
        }
        return membersIn(group, response);
    }

    private static Optional<Set<String>> membersIn(String group, HttpResponse<String> response) {
        JsonNode body = parse(response.body());
        String retryAfter = response.headers().firstValue("Retry-After").map(s -> " (Retry-After " + s + " s)").orElse("");
        if (response.statusCode() / 100 != 2) {
            LOG.warn("Slack user group {} not resolved: {} answered HTTP {}{}{}", group, METHOD, response.statusCode(),
                    errorOf(body).map(e -> " " + e).orElse(""), retryAfter);
            return Optional.empty();
        }
        if (body == null || !body.path("ok").isBoolean()) {
            LOG.warn("Slack user group {} not resolved: {} answered with a body that is not a Web API response", group, METHOD);
            return Optional.empty();
        }
        if (!body.get("ok").booleanValue()) {
            LOG.warn("Slack user group {} not resolved: {} answered {}{}", group, METHOD,
                    errorOf(body).orElse("ok: false without an error"), retryAfter);
            return Optional.empty();
        }
        JsonNode users = body.path("users");
        if (!users.isArray()) {
            LOG.warn("Slack user group {} not resolved: {} answered ok without a users list", group, METHOD);
            return Optional.empty();
        }
        Set<String> members = new LinkedHashSet<>();
        for (JsonNode user : users) {
            if (!user.isTextual() || user.textValue().isBlank()) {
                LOG.warn("Slack user group {} not resolved: {} listed a member that is not a user id", group, METHOD);
                return Optional.empty();
            }
            members.add(user.textValue());
        }
        return Optional.of(Collections.unmodifiableSet(members));
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<String> errorOf(JsonNode body) {
        return Optional.ofNullable(body).map(b -> b.path("error")).filter(JsonNode::isTextual).map(JsonNode::textValue);
    }

    private record CachedMembers(Set<String> members, Instant fetchedAt) {}
}
