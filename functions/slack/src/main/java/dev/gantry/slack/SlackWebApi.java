package dev.gantry.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.slack.api.model.block.LayoutBlock;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChatGateway} over the Slack Web API ({@code chat.postMessage}, {@code chat.update}, bot token scope
 * {@code chat:write}) and the {@code response_url} Slack gives with an interaction or a command.
 *
 * <p>Within one call it retries what a moment's wait can fix, as {@link RetryPolicy} allows: a rate limit after the
 * {@code Retry-After} Slack asked for, and a 5xx, a timeout or a broken connection after an exponential backoff with
 * jitter. Past that it throws {@link RateLimitedException} or {@link UnavailableException}, and the message waits in
 * its queue. Any other refusal ({@code ok: false}, a 4xx) is a {@link RejectedException} at once.
 *
 * <p>Like {@link SlackApproverGroups}, this uses the JDK's HTTP client over HTTP/1.1 rather than the Slack SDK's
 * client, whose HTTP stack every function would otherwise carry and load on a cold start.
 */
public final class SlackWebApi implements ChatGateway {

    public static final URI DEFAULT_BASE_URL = URI.create("https://slack.com");

    private static final Logger LOG = LoggerFactory.getLogger(SlackWebApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String POST_MESSAGE = "chat.postMessage";
    private static final String UPDATE = "chat.update";
    private static final String RESPONSE_URL = "response_url";
    private static final String RATE_LIMITED = "ratelimited";
    // Slack sends Retry-After with every 429; this is only for an answer that forgot it.
    private static final long RETRY_AFTER_WHEN_UNSAID = 1;

    private final Supplier<String> botToken;
    private final String apiUrl;
    private final BlockKitRenderer renderer;
    private final RetryPolicy retryPolicy;
    private final Sleeper sleeper;
    private final DoubleSupplier jitter;
    private final HttpClient http;

    /** Slack itself with {@link RetryPolicy#DEFAULTS}; the bot token is read from {@code botToken} on each call. */
    public SlackWebApi(Supplier<String> botToken) {
        this(botToken, DEFAULT_BASE_URL, RetryPolicy.DEFAULTS, Sleeper.THREAD);
    }

    /**
     * @param baseUrl where the Web API lives, e.g. a loopback test server; its methods are under {@code /api/}
     * @param sleeper how the calling thread waits between attempts; tests pass one that only records
     */
    public SlackWebApi(Supplier<String> botToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper) {
        // Drawn per backoff from a fresh SecureRandom, never from a generator seeded at init: with SnapStart every
        // restored copy of the function would otherwise back off in lockstep.
        this(botToken, baseUrl, retryPolicy, sleeper, () -> new SecureRandom().nextDouble());
    }

    SlackWebApi(Supplier<String> botToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper,
            DoubleSupplier jitter) {
        this.botToken = Objects.requireNonNull(botToken, "botToken");
        this.apiUrl = baseUrl.toString().replaceAll("/+$", "") + "/api/";
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.jitter = Objects.requireNonNull(jitter, "jitter");
        this.renderer = new BlockKitRenderer();
        // HTTP/1.1: a few calls per invocation gain nothing from HTTP/2, and on a plain-HTTP test server the client
        // would otherwise attempt an h2c upgrade first.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(retryPolicy.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public Posted post(String channel, ChatMessage message, String threadTs) {
        ObjectNode body = messageBody(message);
        body.put("channel", Objects.requireNonNull(channel, "channel"));
        if (threadTs != null) {
            body.put("thread_ts", threadTs);
        }
        JsonNode answer = call(POST_MESSAGE, URI.create(apiUrl + POST_MESSAGE), body, true);
        String channelId = answer.path("channel").asText("");
        String ts = answer.path("ts").asText("");
        if (channelId.isEmpty() || ts.isEmpty()) {
            throw new UnavailableException(POST_MESSAGE + " answered ok without the channel and ts of the message",
                    null);
        }
        return new Posted(channelId, ts);
    }

    @Override
    public void update(String channelId, String ts, ChatMessage message) {
        ObjectNode body = messageBody(message);
        body.put("channel", Objects.requireNonNull(channelId, "channelId"));
        body.put("ts", Objects.requireNonNull(ts, "ts"));
        call(UPDATE, URI.create(apiUrl + UPDATE), body, true);
    }

    @Override
    public void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
        ObjectNode body = messageBody(message);
        body.put("replace_original", replaceOriginal);
        body.put("response_type", ephemeral ? "ephemeral" : "in_channel");
        // The response_url carries its own authority; the bot token is not sent to it.
        call(RESPONSE_URL, responseUri(responseUrl), body, false);
    }

    /**
     * Anyone holding a response_url may answer in its channel, so one Gantry cannot use is refused without repeating it:
     * {@link URI#create} and the HTTP client name the URL in their messages.
     */
    private static URI responseUri(String responseUrl) {
        Objects.requireNonNull(responseUrl, "responseUrl");
        try {
            URI uri = new URI(responseUrl);
            if (("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) && uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // Refused below, without the parser's message, which quotes the URL.
        }
        throw new RejectedException("invalid_response_url", "Slack's response_url is not an http(s) URL Gantry can answer through");
    }

    private ObjectNode messageBody(ChatMessage message) {
        ObjectNode body = JSON.createObjectNode();
        body.put("text", message.text());
        List<LayoutBlock> blocks = renderer.render(message);
        // An empty blocks array is not the same to Slack as none: without blocks the text is the message.
        if (!blocks.isEmpty()) {
            body.putRawValue("blocks", new RawValue(renderer.toJson(blocks)));
        }
        return body;
    }

    private JsonNode call(String method, URI url, ObjectNode body, boolean withToken) {
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        int failures = 0;
        int rateLimitRetries = 0;
        Duration waitedForRateLimits = Duration.ZERO;
        while (true) {
            String failure;
            IOException cause = null;
            try {
                HttpResponse<String> response = send(method, url, json, withToken);
                JsonNode answer = parse(response.body());
                Optional<String> error = errorOf(answer).or(() -> plainError(response));
                if (response.statusCode() == 429 || error.filter(RATE_LIMITED::equals).isPresent()) {
                    long retryAfter = retryAfterSeconds(response);
                    Duration wait = Duration.ofSeconds(retryAfter);
                    if (rateLimitRetries >= retryPolicy.maxRateLimitRetries()
                            || waitedForRateLimits.plus(wait).compareTo(retryPolicy.maxRateLimitWait()) > 0) {
                        throw new RateLimitedException("Slack " + method + " is rate limited; it asked to wait "
                                + retryAfter + " s", retryAfter);
                    }
                    rateLimitRetries++;
                    waitedForRateLimits = waitedForRateLimits.plus(wait);
                    LOG.info("Slack {} is rate limited, waiting the {} s it asked for", method, retryAfter);
                    pause(wait);
                    continue;
                }
                failure = transientFailure(response, answer, withToken);
                if (failure == null) {
                    rejectIfRefused(method, response, answer, error);
                    // A response_url may answer a bare "ok" rather than JSON.
                    return answer == null ? JSON.createObjectNode() : answer;
                }
            } catch (IOException e) {
                failure = e.toString();
                cause = e;
            }
            failures++;
            if (failures >= retryPolicy.maxAttempts()) {
                throw new UnavailableException("Slack " + method + " failed after " + failures + " attempts: " + failure,
                        cause);
            }
            LOG.warn("Slack {} failed (attempt {} of {}), retrying: {}", method, failures, retryPolicy.maxAttempts(),
                    failure);
            pause(backoff(failures));
        }
    }

    private HttpResponse<String> send(String method, URI url, byte[] json, boolean withToken) throws IOException {
        try {
            return http.send(request(url, json, withToken), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while calling Slack " + method, e);
        }
    }

    /** What makes an answer worth another attempt, or null when it is Slack's considered answer. */
    private static String transientFailure(HttpResponse<String> response, JsonNode answer, boolean webApi) {
        if (response.statusCode() >= 500) {
            return "HTTP " + response.statusCode();
        }
        if (webApi && response.statusCode() / 100 == 2 && (answer == null || !answer.path("ok").isBoolean())) {
            // The Web API always answers {"ok": ...}; anything else came from something in between.
            return "HTTP " + response.statusCode() + " with a body that is not a Web API response";
        }
        return null;
    }

    private static void rejectIfRefused(String method, HttpResponse<String> response, JsonNode answer,
            Optional<String> error) {
        if (response.statusCode() / 100 != 2) {
            String code = error.orElse("http_" + response.statusCode());
            throw new RejectedException(code, "Slack " + method + " answered HTTP " + response.statusCode() + " "
                    + code);
        }
        if (answer != null && answer.path("ok").isBoolean() && !answer.get("ok").booleanValue()) {
            String code = error.orElse("unknown_error");
            throw new RejectedException(code, "Slack " + method + " refused the call: " + code);
        }
    }

    private HttpRequest request(URI url, byte[] json, boolean withToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(retryPolicy.requestTimeout())
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(json));
        if (withToken) {
            request.header("Authorization", "Bearer " + token());
        }
        return request.build();
    }

    private String token() {
        String token;
        try {
            token = botToken.get();
        } catch (RuntimeException e) {
            // Only the message: the token's supplier keeps the token out of it, a cause from deeper down might not.
            throw new UnavailableException("the Slack bot token could not be read: " + e.getMessage(), null);
        }
        if (token == null || token.isBlank()) {
            throw new RejectedException("not_authed", "the Slack bot token is empty");
        }
        // A secret stored with a trailing newline would otherwise fail as invalid_auth.
        return token.strip();
    }

    /** Exponential from {@link RetryPolicy#initialBackoff()}, capped, the upper half of it jittered. */
    Duration backoff(int failures) {
        long cap = retryPolicy.maxBackoff().toMillis();
        long capped = Math.min(retryPolicy.initialBackoff().toMillis(), cap);
        for (int i = 1; i < failures && capped < cap; i++) {
            capped = Math.min(capped * 2, cap);
        }
        long half = capped / 2;
        return Duration.ofMillis(half + (long) (jitter.getAsDouble() * (capped - half)));
    }

    private void pause(Duration duration) {
        try {
            sleeper.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting to call Slack again", e);
        }
    }

    private static long retryAfterSeconds(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After")
                .map(String::strip)
                .filter(s -> s.matches("[0-9]{1,9}"))
                .map(Long::parseLong)
                .orElse(RETRY_AFTER_WHEN_UNSAID);
    }

    // A response_url may answer an error as a bare code ("expired_url") with a 4xx instead of JSON.
    private static Optional<String> plainError(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body().strip();
        return response.statusCode() / 100 == 4 && body.matches("[a-z_]{1,64}") ? Optional.of(body) : Optional.empty();
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static Optional<String> errorOf(JsonNode answer) {
        return Optional.ofNullable(answer)
                .filter(a -> a.path("ok").isBoolean() && !a.get("ok").booleanValue())
                .map(a -> a.path("error"))
                .filter(JsonNode::isTextual)
                .map(JsonNode::textValue);
    }

    /**
     * How long one call may keep trying.
     *
     * @param maxRateLimitRetries rate-limited answers waited out before giving up with {@link RateLimitedException};
     *     default 2
     * @param maxRateLimitWait the most time spent waiting out rate limits in one call; a {@code Retry-After} that
     *     would go past it is not waited for; default 10 s
     * @param maxAttempts attempts in all when Slack fails (5xx, timeout, broken connection) before giving up with
     *     {@link UnavailableException}; default 3
     * @param initialBackoff the wait after the first failure, doubled after each next one; default 200 ms
     * @param maxBackoff the longest wait between failures; default 2 s
     * @param requestTimeout how long one request may take, connecting included; default 5 s
     */
    public record RetryPolicy(int maxRateLimitRetries, Duration maxRateLimitWait, int maxAttempts,
            Duration initialBackoff, Duration maxBackoff, Duration requestTimeout) {

        public static final RetryPolicy DEFAULTS = new RetryPolicy(2, Duration.ofSeconds(10), 3,
                Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(5));

        public RetryPolicy {
            if (maxRateLimitRetries < 0) {
                throw new IllegalArgumentException("maxRateLimitRetries must not be negative");
            }
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
            Objects.requireNonNull(maxRateLimitWait, "maxRateLimitWait");
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (maxRateLimitWait.isNegative() || initialBackoff.isNegative() || maxBackoff.isNegative()
                    || requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("durations must not be negative, and the request timeout positive");
            }
        }
    }

    /** Waits between attempts. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper THREAD = duration -> Thread.sleep(duration);

        void sleep(Duration duration) throws InterruptedException;
    }
}
