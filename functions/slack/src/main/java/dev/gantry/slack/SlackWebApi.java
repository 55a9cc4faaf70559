package dev.gantry.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import com.slack.api.model.block.LayoutBlock;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ThreadKey;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ChatGateway} over the Slack Web API ({@code chat.postMessage}, {@code chat.update}, bot token scope
 * {@code chat:write}) and the {@code response_url} Slack gives with an interaction or a command.
 *
 * <p>Within one call it retries what a moment's wait can fix, as {@link RetryPolicy} allows: a rate limit after the
 * {@code Retry-After} Slack asked for, and a 5xx, a timeout, a broken connection or an error Slack calls temporary
 * ({@code internal_error}, {@code service_unavailable}, ...) after an exponential backoff with jitter. Past that it
 * throws {@link RateLimitedException} or {@link UnavailableException}, and the message waits in its queue. A refusal
 * ({@code ok: false}, a 4xx) is thrown at once as whose it is: the channel's or message's ({@link RejectedException}),
 * the message Gantry made ({@link MessageRefusedException}), or the app's ({@link AppRefusedException}: its token, its
 * scopes, or an error Gantry does not know). A refused token is dropped from the token's cache and read again; when that
 * gives another token (a rotation), the call is made once more with it.
 *
 * <p>A headline carries Slack message metadata: event type {@value #HEADLINE_EVENT}, with the thread's kind, name and
 * id and the posting marker in its payload. {@link #findHeadline} reads it back with {@code conversations.history}
 * ({@code include_all_metadata}, scopes {@code channels:history} and {@code groups:history}; Slack lets a bot read only
 * the channels it is a member of), after finding a {@code #name}'s id among the bot's channels with
 * {@code users.conversations} (scopes {@code channels:read} and {@code groups:read}). A headline post that failed
 * without a readable answer (a 5xx, a timeout, a broken connection once the request was sent) is looked for before it
 * is sent again.
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
    // Slack's own failures, which its documentation calls temporary or internal (a migration of the workspace is one
    // too). internal_error and fatal_error may come after part of the call took effect, so each is handled as a 5xx is:
    // tried again, and a headline looked for before it is posted again.
    private static final Set<String> SLACK_FAILURES = Set.of("internal_error", "fatal_error", "service_unavailable",
            "request_timeout", "update_failed", "team_added_to_org", "org_login_required", "external_channel_migrating");

    // Refusals of the token: the same answer for every call until the token is replaced, which a rotation of its secret
    // does without telling the functions that cached the old one.
    private static final Set<String> TOKEN_REFUSALS = Set.of("invalid_auth", "not_authed", "token_revoked", "token_expired",
            "account_inactive");

    // Refusals of the conversation or the message a call names, which concern that one thread: its channel or headline is
    // gone, archived or closed to the app, and telling it again would be refused the same way.
    private static final Set<String> THREAD_REFUSALS = Set.of("channel_not_found", "is_archived", "is_inactive", "not_in_channel",
            "message_not_found", "thread_not_found", "cant_update_message", "edit_window_closed", "cannot_reply_to_message",
            "restricted_action_read_only_channel", "restricted_action_thread_only_channel",
            "restricted_action_non_threadable_channel", "restricted_action_thread_locked");

    // Refusals of the message itself, which only a change to how Gantry renders it can fix.
    private static final Set<String> MESSAGE_REFUSALS = Set.of("msg_too_long", "msg_blocks_too_long", "no_text", "invalid_blocks",
            "invalid_blocks_format", "invalid_attachments", "too_many_attachments", "attachment_payload_limit_exceeded",
            "invalid_metadata_format", "invalid_metadata_schema", "metadata_too_large", "block_mismatch", "markdown_text_conflict");

    private static final String HISTORY = "conversations.history";
    private static final String MEMBER_CHANNELS = "users.conversations";

    /** The metadata event type a thread's headline carries. */
    static final String HEADLINE_EVENT = "gantry_release_thread_started";

    // Slack recommends pages of at most 200; an app limited to fewer is answered with fewer, and pages on.
    private static final int PAGE_SIZE = 200;
    // 4,000 messages in the window, or 10,000 channels of the app: far more than a release channel sees, and bounded,
    // so that a lookup never runs into the function's timeout without a reason.
    private static final int MAX_HISTORY_PAGES = 20;
    private static final int MAX_CHANNEL_PAGES = 50;

    private final Supplier<String> botToken;
    private final Runnable forgetBotToken;
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
     * With a bot token that never changes, so none is read again after Slack refused it.
     *
     * @param baseUrl where the Web API lives, e.g. a loopback test server; its methods are under {@code /api/}
     * @param sleeper how the calling thread waits between attempts; tests pass one that only records
     */
    public SlackWebApi(Supplier<String> botToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper) {
        this(botToken, () -> { }, baseUrl, retryPolicy, sleeper);
    }

    /**
     * @param forgetBotToken told when Slack refused the token {@code botToken} gave, so that its next read fetches the
     *     token afresh rather than from a cache: a rotated token is then used at once
     * @param baseUrl where the Web API lives, e.g. a loopback test server; its methods are under {@code /api/}
     * @param sleeper how the calling thread waits between attempts; tests pass one that only records
     */
    public SlackWebApi(Supplier<String> botToken, Runnable forgetBotToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper) {
        // Drawn per backoff from a fresh SecureRandom, never from a generator seeded at init: with SnapStart every
        // restored copy of the function would otherwise back off in lockstep.
        this(botToken, forgetBotToken, baseUrl, retryPolicy, sleeper, () -> new SecureRandom().nextDouble());
    }

    SlackWebApi(Supplier<String> botToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper, DoubleSupplier jitter) {
        this(botToken, () -> { }, baseUrl, retryPolicy, sleeper, jitter);
    }

    SlackWebApi(Supplier<String> botToken, Runnable forgetBotToken, URI baseUrl, RetryPolicy retryPolicy, Sleeper sleeper,
            DoubleSupplier jitter) {
        this.botToken = Objects.requireNonNull(botToken, "botToken");
        this.forgetBotToken = Objects.requireNonNull(forgetBotToken, "forgetBotToken");
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
        return posted(call(POST_MESSAGE, URI.create(apiUrl + POST_MESSAGE), body, true));
    }

    private static Posted posted(JsonNode answer) {
        String channelId = answer.path("channel").asText("");
        String ts = answer.path("ts").asText("");
        if (channelId.isEmpty() || ts.isEmpty()) {
            throw new UnavailableException(POST_MESSAGE + " answered ok without the channel and ts of the message",
                    null);
        }
        return new Posted(channelId, ts);
    }

    @Override
    public Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker) {
        ObjectNode body = messageBody(message);
        body.put("channel", Objects.requireNonNull(channel, "channel"));
        ObjectNode metadata = body.putObject("metadata");
        metadata.put("event_type", HEADLINE_EVENT);
        metadata.putObject("event_payload")
                .put("thread_kind", thread.kind().name())
                .put("thread_name", thread.name())
                .put("thread_id", thread.id())
                .put("marker", marker.id());
        JsonNode answer = call(POST_MESSAGE, URI.create(apiUrl + POST_MESSAGE), body, true, () -> postedBefore(channel, thread, marker));
        return posted(answer);
    }

    /** Whether an attempt whose answer was lost posted the headline after all; asked before sending it again. */
    private Optional<JsonNode> postedBefore(String channel, ThreadKey thread, PostingMarker marker) {
        Optional<Posted> found;
        try {
            found = findHeadline(channel, thread, marker);
        } catch (RuntimeException e) {
            throw new UnavailableException("Slack " + POST_MESSAGE + " failed without an answer, and whether it posted the headline of "
                    + thread.describe() + " could not be checked: " + e.getMessage(), e);
        }
        found.ifPresent(posted -> LOG.info("Slack {} failed without an answer but had posted the headline of {} at {}; not posting it again",
                POST_MESSAGE, thread.describe(), posted.ts()));
        return found.map(posted -> JSON.createObjectNode().put("ok", true).put("channel", posted.channelId()).put("ts", posted.ts()));
    }

    @Override
    public Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker) {
        String channelId = channelId(Objects.requireNonNull(channel, "channel"));
        String latest = slackTs(marker.latestPost());
        String cursor = null;
        for (int page = 1; page <= MAX_HISTORY_PAGES; page++) {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("channel", channelId);
            query.put("oldest", slackTs(marker.earliestPost()));
            query.put("latest", latest);
            query.put("include_all_metadata", "true");
            query.put("limit", Integer.toString(PAGE_SIZE));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            JsonNode answer = call(HISTORY, query(HISTORY, query), null, true);
            JsonNode messages = answer.path("messages");
            if (!messages.isArray()) {
                throw new UnavailableException("Slack " + HISTORY + " answered ok without a messages list", null);
            }
            for (JsonNode message : messages) {
                if (isHeadline(message, thread, marker)) {
                    return Optional.of(new Posted(channelId, message.path("ts").textValue()));
                }
            }
            cursor = answer.at("/response_metadata/next_cursor").asText("");
            if (cursor.isEmpty()) {
                if (!answer.path("has_more").asBoolean(false) || messages.isEmpty()) {
                    return Optional.empty();
                }
                // Newest first: the rest is older than the last one read.
                cursor = null;
                latest = messages.get(messages.size() - 1).path("ts").asText();
            }
        }
        throw new UnavailableException(channel + " holds more than " + MAX_HISTORY_PAGES * PAGE_SIZE + " messages around "
                + marker.at() + "; the headline of " + thread.describe() + " could not be looked for in all of them", null);
    }

    private static boolean isHeadline(JsonNode message, ThreadKey thread, PostingMarker marker) {
        JsonNode metadata = message.path("metadata");
        JsonNode payload = metadata.path("event_payload");
        String ts = message.path("ts").asText("");
        // A reply broadcast to the channel is listed too; a headline is a thread's top message.
        boolean topLevel = !message.hasNonNull("thread_ts") || message.path("thread_ts").asText().equals(ts);
        return !ts.isEmpty() && topLevel
                && HEADLINE_EVENT.equals(metadata.path("event_type").asText())
                && marker.id().equals(payload.path("marker").asText())
                && thread.kind().name().equals(payload.path("thread_kind").asText())
                && thread.name().equals(payload.path("thread_name").asText())
                && thread.id().equals(payload.path("thread_id").asText());
    }

    /** A channel id as it is; a {@code #name}'s id among the channels the bot is a member of, the only ones it may read. */
    private String channelId(String channel) {
        if (!channel.startsWith("#")) {
            return channel;
        }
        String name = channel.substring(1);
        String cursor = null;
        for (int page = 1; page <= MAX_CHANNEL_PAGES; page++) {
            Map<String, String> query = new LinkedHashMap<>();
            query.put("types", "public_channel,private_channel");
            query.put("exclude_archived", "true");
            query.put("limit", Integer.toString(PAGE_SIZE));
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            JsonNode answer = call(MEMBER_CHANNELS, query(MEMBER_CHANNELS, query), null, true);
            for (JsonNode listed : answer.path("channels")) {
                if (name.equals(listed.path("name").asText()) && !listed.path("id").asText("").isEmpty()) {
                    return listed.path("id").asText();
                }
            }
            cursor = answer.at("/response_metadata/next_cursor").asText("");
            if (cursor.isEmpty()) {
                throw new RejectedException("not_in_channel", "the Slack app is not a member of " + channel + " (" + MEMBER_CHANNELS
                        + " does not list it), and Slack lets it read only the channels it is a member of");
            }
        }
        throw new UnavailableException("the Slack app is a member of more than " + MAX_CHANNEL_PAGES * PAGE_SIZE
                + " channels; " + channel + " was not among the first", null);
    }

    /** Slack's timestamps: epoch seconds, a dot, microseconds. */
    static String slackTs(Instant instant) {
        return instant.getEpochSecond() + "." + String.format("%06d", instant.getNano() / 1_000);
    }

    private URI query(String method, Map<String, String> parameters) {
        return URI.create(apiUrl + method + "?" + parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")));
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
        return call(method, url, body, withToken, null);
    }

    /**
     * @param body what to POST; null to GET {@code url}
     * @param tookEffect asked before sending again a request whose answer was lost; what it finds is the call's answer
     */
    private JsonNode call(String method, URI url, ObjectNode body, boolean withToken, Supplier<Optional<JsonNode>> tookEffect) {
        byte[] json = body == null ? null : body.toString().getBytes(StandardCharsets.UTF_8);
        int failures = 0;
        int rateLimitRetries = 0;
        Duration waitedForRateLimits = Duration.ZERO;
        boolean tokenReadAgain = false;
        while (true) {
            String failure;
            IOException cause = null;
            boolean answerLost = true;
            String token = withToken ? token() : null;
            try {
                HttpResponse<String> response = send(method, url, json, token);
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
                if (withToken && error.filter(TOKEN_REFUSALS::contains).isPresent()) {
                    forgetBotToken.run();
                    if (!tokenReadAgain) {
                        tokenReadAgain = true;
                        if (!sameToken(token, token())) {
                            // Refused before it did anything, so asking again cannot do it twice.
                            LOG.info("Slack {} refused the bot token ({}); its secret holds another one now, asking again with that",
                                    method, error.get());
                            continue;
                        }
                    }
                }
                failure = transientFailure(response, answer, error, withToken);
                if (failure == null) {
                    throwIfRefused(method, response, answer, error, withToken);
                    // A response_url may answer a bare "ok" rather than JSON.
                    return answer == null ? JSON.createObjectNode() : answer;
                }
            } catch (IOException e) {
                failure = e.toString();
                cause = e;
                // Refused or unreachable: the request never reached Slack.
                answerLost = !(e instanceof ConnectException || e instanceof HttpConnectTimeoutException);
            }
            failures++;
            if (failures >= retryPolicy.maxAttempts()) {
                throw new UnavailableException("Slack " + method + " failed after " + failures + " attempts: " + failure,
                        cause);
            }
            LOG.warn("Slack {} failed (attempt {} of {}), retrying: {}", method, failures, retryPolicy.maxAttempts(),
                    failure);
            pause(backoff(failures));
            if (answerLost && tookEffect != null) {
                Optional<JsonNode> done = tookEffect.get();
                if (done.isPresent()) {
                    return done.get();
                }
            }
        }
    }

    private static boolean sameToken(String refused, String current) {
        return MessageDigest.isEqual(refused.getBytes(StandardCharsets.UTF_8), current.getBytes(StandardCharsets.UTF_8));
    }

    /** @param token the bot token to send; null for a response_url, which carries its own authority */
    private HttpResponse<String> send(String method, URI url, byte[] json, String token) throws IOException {
        try {
            return http.send(request(url, json, token), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while calling Slack " + method, e);
        }
    }

    /** What makes an answer worth another attempt, or null when it is Slack's considered answer. */
    private static String transientFailure(HttpResponse<String> response, JsonNode answer, Optional<String> error, boolean webApi) {
        if (response.statusCode() >= 500) {
            return "HTTP " + response.statusCode();
        }
        if (webApi && response.statusCode() / 100 == 2 && (answer == null || !answer.path("ok").isBoolean())) {
            // The Web API always answers {"ok": ...}; anything else came from something in between.
            return "HTTP " + response.statusCode() + " with a body that is not a Web API response";
        }
        if (webApi && error.filter(SLACK_FAILURES::contains).isPresent()) {
            return error.get();
        }
        return null;
    }

    /** Throws what a refusal in {@code response} means, by whose it is; nothing when Slack took the call. */
    private static void throwIfRefused(String method, HttpResponse<String> response, JsonNode answer, Optional<String> error,
            boolean webApi) {
        boolean refused = response.statusCode() / 100 != 2
                || answer != null && answer.path("ok").isBoolean() && !answer.get("ok").booleanValue();
        if (!refused) {
            return;
        }
        String code = error.orElse(response.statusCode() / 100 != 2 ? "http_" + response.statusCode() : "unknown_error");
        String said = response.statusCode() / 100 != 2 ? "answered HTTP " + response.statusCode() + " " + code : "refused the call: " + code;
        if (!webApi) {
            // A response_url belongs to one interaction, and answers for that one alone (expired_url, used_url).
            throw new RejectedException(code, "Slack " + method + " " + said);
        }
        // missing_scope names the scope the app lacks: what the person reading the error has to add.
        String needed = answer != null && answer.path("needed").isTextual() ? " (needs scope " + answer.get("needed").textValue() + ")" : "";
        String message = "Slack " + method + " " + said + needed;
        if (THREAD_REFUSALS.contains(code)) {
            throw new RejectedException(code, message);
        }
        if (MESSAGE_REFUSALS.contains(code)) {
            throw new MessageRefusedException(code, message);
        }
        // The token's refusals, the app's scopes and standing in the workspace, and whatever Gantry has no rule for:
        // taken for the app's, which fails every thread's news loudly, rather than for one thread's, which would stop
        // telling that thread without anyone hearing of it.
        throw new AppRefusedException(code, message);
    }

    private HttpRequest request(URI url, byte[] json, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(retryPolicy.requestTimeout())
                .header("Accept", "application/json");
        if (json == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json; charset=utf-8").POST(HttpRequest.BodyPublishers.ofByteArray(json));
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
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
            throw new AppRefusedException("not_authed", "the Slack bot token is empty");
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
