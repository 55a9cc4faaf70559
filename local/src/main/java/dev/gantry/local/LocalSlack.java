package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.aws.lambda.LocalContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Slack on this machine, on one HTTP port:
 * <ul>
 *   <li>the Web API the functions' Slack adapter posts to ({@code GANTRY_SLACK_API_URL}): {@code chat.postMessage} and
 *       {@code chat.update}, with the run's bot token, answering as Slack does, errors included;</li>
 *   <li>the {@code response_url}s of the clicks it sends: an answer replaces the clicked message or is shown to its
 *       clicker only, as asked;</li>
 *   <li>a channel page at {@code /} showing the messages as Slack would (replies in their threads, edits in place), kept
 *       current by waiting on {@code /state};</li>
 *   <li>{@code /click}, where the page's buttons go: the click becomes the {@code block_actions} request Slack would send,
 *       signed with the run's signing secret and handed to the real slack-interactions handler.</li>
 * </ul>
 */
final class LocalSlack implements AutoCloseable {

    static final String BOT_USER_ID = "U0GANTRYBOT";
    static final String BOT_ID = "B0GANTRYBOT";
    static final String TEAM_DOMAIN = "gantry-local";
    /** How long the page's request for news is held open when nothing changes. */
    static final Duration STATE_WAIT = Duration.ofSeconds(20);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final SlackWorkspace workspace;
    private final InteractionRequests requests;
    private final InteractionRequests.App app;
    private final List<InteractionRequests.User> users;
    private final String botToken;
    private final Clock clock;
    private final PrintStream problems;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread thread = new Thread(r, "local Slack");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, ResponseTarget> responseUrls = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final byte[] page;
    private volatile RequestStreamHandler interactions;

    /** Where a response_url's answers go: the message clicked, and who clicked it. */
    private record ResponseTarget(String channelId, String messageTs, String userId) {}

    /**
     * Listens on {@code port} on loopback; 0, or a port already taken, gets a free one ({@link #pageUrl()} says which).
     *
     * @param users who may click on the page; the first is chosen at first
     * @param problems where what the page cannot be shown is reported
     */
    LocalSlack(int port, SlackWorkspace workspace, InteractionRequests requests, InteractionRequests.App app,
            List<InteractionRequests.User> users, String botToken, Clock clock, PrintStream problems) throws IOException {
        this.workspace = workspace;
        this.requests = requests;
        this.app = app;
        this.users = List.copyOf(users);
        this.botToken = botToken;
        this.clock = clock;
        this.problems = problems;
        try (InputStream in = LocalSlack.class.getResourceAsStream("channel.html")) {
            if (in == null) {
                throw new IOException("the channel page (dev/gantry/local/channel.html) is not on the classpath");
            }
            this.page = in.readAllBytes();
        }
        this.server = bind(port);
        server.setExecutor(executor);
        server.createContext("/api/", this::webApi);
        server.createContext("/response/", this::responseUrl);
        server.createContext("/state", this::state);
        server.createContext("/click", this::click);
        server.createContext("/", this::page);
        server.start();
    }

    private static HttpServer bind(int port) throws IOException {
        try {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        } catch (BindException e) {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
    }

    /** Where the functions find the Web API: the value of {@code GANTRY_SLACK_API_URL}. */
    URI apiUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The channel page, as a person opens it. */
    URI pageUrl() {
        return URI.create("http://localhost:" + server.getAddress().getPort() + "/");
    }

    /** Clicks go to this handler, once the functions are wired. */
    void connect(RequestStreamHandler slackInteractions) {
        this.interactions = slackInteractions;
    }

    SlackWorkspace workspace() {
        return workspace;
    }

    private void webApi(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestURI().getPath().substring("/api/".length());
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain", "POST only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization == null || !authorization.startsWith("Bearer ")) {
                apiError(exchange, "not_authed");
                return;
            }
            if (!MessageDigest.isEqual(authorization.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8),
                    botToken.getBytes(StandardCharsets.UTF_8))) {
                apiError(exchange, "invalid_auth");
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(exchange.getRequestBody());
            } catch (IOException e) {
                apiError(exchange, "invalid_json");
                return;
            }
            try {
                switch (method) {
                    case "chat.postMessage" -> {
                        SlackWorkspace.Message posted = workspace.post(request.path("channel").asText(null), request.path("text").asText(""),
                                blocks(request), request.path("thread_ts").asText(null));
                        ObjectNode answer = ok().put("channel", posted.channelId()).put("ts", posted.ts());
                        answer.set("message", asSlackMessage(posted));
                        sendJson(exchange, answer);
                    }
                    case "chat.update" -> {
                        SlackWorkspace.Message updated = workspace.update(request.path("channel").asText(""), request.path("ts").asText(""),
                                request.path("text").asText(""), blocks(request));
                        ObjectNode answer = ok().put("channel", updated.channelId()).put("ts", updated.ts()).put("text", updated.text());
                        answer.set("message", asSlackMessage(updated));
                        sendJson(exchange, answer);
                    }
                    default -> apiError(exchange, "unknown_method");
                }
            } catch (SlackWorkspace.SlackError e) {
                apiError(exchange, e.code());
            }
        }
    }

    /** Answers to a click, as the worker sends them to its response_url. */
    private void responseUrl(HttpExchange exchange) throws IOException {
        try (exchange) {
            ResponseTarget target = responseUrls.get(exchange.getRequestURI().getPath().substring("/response/".length()));
            if (target == null) {
                send(exchange, 404, "text/plain", "expired_url".getBytes(StandardCharsets.UTF_8));
                return;
            }
            JsonNode answer = JSON.readTree(exchange.getRequestBody());
            String text = answer.path("text").asText("");
            try {
                if (answer.path("replace_original").asBoolean(false)) {
                    workspace.update(target.channelId(), target.messageTs(), text, blocks(answer));
                } else if ("in_channel".equals(answer.path("response_type").asText("ephemeral"))) {
                    workspace.post(target.channelId(), text, blocks(answer), null);
                } else {
                    workspace.note(target.channelId(), target.messageTs(), target.userId(), text, blocks(answer));
                }
            } catch (SlackWorkspace.SlackError e) {
                send(exchange, 404, "text/plain", e.code().getBytes(StandardCharsets.UTF_8));
                return;
            }
            sendJson(exchange, ok());
        }
    }

    private void page(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!path.equals("/") && !path.equals("/index.html")) {
                send(exchange, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 200, "text/html; charset=utf-8", page);
        }
    }

    /** The workspace as the page draws it, once its version is past {@code after} (or the wait is over). */
    private void state(HttpExchange exchange) throws IOException {
        try (exchange) {
            long after = queryNumber(exchange.getRequestURI().getRawQuery(), "after", -1);
            try {
                workspace.awaitChange(after, STATE_WAIT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] state;
            try {
                state = JSON.writeValueAsBytes(stateJson());
            } catch (RuntimeException e) {
                // The page says the run does not answer and asks again; the reason goes where the run's problems go.
                problems.println("local run: the channel page's state could not be drawn: " + e);
                send(exchange, 500, "text/plain", "the channel could not be drawn".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(exchange, 200, "application/json; charset=utf-8", state);
        }
    }

    ObjectNode stateJson() {
        ObjectNode state = JSON.createObjectNode();
        state.put("version", workspace.version());
        ObjectNode team = state.putObject("workspace").put("team", app.teamId()).put("domain", app.teamDomain());
        ArrayNode people = team.putArray("users");
        users.forEach(u -> people.addObject().put("id", u.id()).put("name", u.name()));
        List<SlackWorkspace.Message> messages = workspace.messages();
        List<SlackWorkspace.Note> notes = workspace.notes();
        ArrayNode channels = state.putArray("channels");
        for (SlackWorkspace.Channel channel : workspace.channels()) {
            ObjectNode drawn = channels.addObject().put("id", channel.id()).put("name", channel.name());
            ArrayNode top = drawn.putArray("messages");
            for (SlackWorkspace.Message message : messages) {
                if (!message.channelId().equals(channel.id()) || message.threadTs() != null) {
                    continue;
                }
                ObjectNode parent = drawn(message);
                ArrayNode replies = parent.putArray("replies");
                messages.stream().filter(m -> m.channelId().equals(channel.id()) && message.ts().equals(m.threadTs()))
                        .forEach(reply -> replies.add(drawn(reply)));
                ArrayNode onlyFor = parent.putArray("notes");
                notes.stream().filter(n -> n.channelId().equals(channel.id()) && n.messageTs().equals(message.ts()))
                        .forEach(n -> onlyFor.addObject().put("user", n.userId()).put("time", time(n.at()))
                                .put("html", BlockKitHtml.message(n.text(), n.blocks())));
                top.add(parent);
            }
        }
        ArrayNode clicks = state.putArray("clicks");
        workspace.clicks().forEach(c -> clicks.addObject().put("user", c.userId()).put("action", c.actionId()).put("status", c.status())
                .put("time", time(c.at())));
        return state;
    }

    private ObjectNode drawn(SlackWorkspace.Message message) {
        return JSON.createObjectNode()
                .put("channel", message.channelId())
                .put("ts", message.ts())
                .put("time", time(message.postedAt()))
                .put("edited", message.edits() > 0)
                .put("text", message.text())
                .put("html", BlockKitHtml.message(message.text(), message.blocks()));
    }

    /**
     * A button clicked on the page: {@code {"channel", "ts", "blockId", "actionId", "value", "user"}}. Answers with how
     * slack-interactions answered, or why the click was not sent (a button no longer on the message, an unknown user).
     */
    private void click(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                send(exchange, 405, "text/plain", "POST only".getBytes(StandardCharsets.UTF_8));
                return;
            }
            JsonNode click = JSON.readTree(exchange.getRequestBody());
            ObjectNode answer = JSON.createObjectNode();
            Optional<InteractionRequests.User> user = users.stream().filter(u -> u.id().equals(click.path("user").asText())).findFirst();
            Optional<SlackWorkspace.Message> message = workspace.find(m -> m.channelId().equals(click.path("channel").asText())
                    && m.ts().equals(click.path("ts").asText()));
            Optional<JsonNode> button = message.flatMap(m -> button(m.blocks(), click.path("blockId").asText(), click.path("actionId").asText()));
            if (user.isEmpty()) {
                answer.put("error", "nobody named " + click.path("user").asText() + " is in this workspace");
            } else if (button.isEmpty()) {
                answer.put("error", "that button is no longer on the message");
            } else if (interactions == null) {
                answer.put("error", "the functions are not running yet");
            } else {
                int status = send(message.get(), button.get(), click.path("blockId").asText(), user.get(), answer);
                workspace.clicked(new SlackWorkspace.Click(user.get().id(), button.get().path("action_id").asText(),
                        button.get().path("value").asText(""), message.get().channelId(), message.get().ts(), status, clock.instant()));
            }
            sendJson(exchange, answer);
        }
    }

    /** Signs the click's request, hands it to slack-interactions and answers with its status; -1 when it failed outright. */
    private int send(SlackWorkspace.Message message, JsonNode button, String blockId, InteractionRequests.User user, ObjectNode answer) {
        Instant now = clock.instant();
        String token = HexFormat.of().formatHex(randomBytes());
        responseUrls.put(token, new ResponseTarget(message.channelId(), message.ts(), user.id()));
        String responseUrl = apiUrl() + "/response/" + token;
        SlackWorkspace.Channel channel = workspace.channel(message.channelId());
        String body = InteractionRequests.formBody(requests.blockActions(message, channel, button, blockId, user, responseUrl, now));
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            interactions.handleRequest(new ByteArrayInputStream(requests.functionUrlEvent(body, now).getBytes(StandardCharsets.UTF_8)), out,
                    new LocalContext("gantry-slack-interactions", 10_000));
            JsonNode response = JSON.readTree(out.toByteArray());
            int status = response.path("statusCode").asInt(-1);
            answer.put("status", status).put("body", response.path("body").asText(""));
            return status;
        } catch (IOException | RuntimeException e) {
            answer.put("error", "slack-interactions failed: " + e.getMessage());
            return -1;
        }
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The button with {@code actionId} in block {@code blockId}: only a button the message shows can be clicked. */
    private static Optional<JsonNode> button(JsonNode blocks, String blockId, String actionId) {
        for (JsonNode block : blocks) {
            if (!block.path("block_id").asText().equals(blockId)) {
                continue;
            }
            for (JsonNode element : block.path("elements")) {
                if (element.path("type").asText().equals("button") && element.path("action_id").asText().equals(actionId)) {
                    return Optional.of(element);
                }
            }
            if (block.path("accessory").path("action_id").asText().equals(actionId)) {
                return Optional.of(block.path("accessory"));
            }
        }
        return Optional.empty();
    }

    private ObjectNode asSlackMessage(SlackWorkspace.Message message) {
        ObjectNode node = JSON.createObjectNode()
                .put("type", "message")
                .put("text", message.text())
                .put("user", BOT_USER_ID)
                .put("bot_id", BOT_ID)
                .put("app_id", app.appId())
                .put("team", app.teamId())
                .put("ts", message.ts());
        if (message.threadTs() != null) {
            node.put("thread_ts", message.threadTs());
        }
        node.set("blocks", message.blocks());
        return node;
    }

    private static JsonNode blocks(JsonNode request) {
        JsonNode blocks = request.path("blocks");
        if (blocks.isTextual()) {
            // The Web API also takes blocks as a JSON string.
            try {
                blocks = JSON.readTree(blocks.asText());
            } catch (IOException e) {
                throw new SlackWorkspace.SlackError("invalid_blocks", "blocks is not JSON");
            }
        }
        return blocks.isArray() ? blocks : JSON.createArrayNode();
    }

    private static ObjectNode ok() {
        return JSON.createObjectNode().put("ok", true);
    }

    private static void apiError(HttpExchange exchange, String code) throws IOException {
        sendJson(exchange, JSON.createObjectNode().put("ok", false).put("error", code));
    }

    private static void sendJson(HttpExchange exchange, ObjectNode body) throws IOException {
        send(exchange, 200, "application/json; charset=utf-8", JSON.writeValueAsBytes(body));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private String time(Instant at) {
        return TIME.format(at.atZone(ZoneId.systemDefault()));
    }

    private static long queryNumber(String query, String name, long otherwise) {
        if (query == null) {
            return otherwise;
        }
        for (String pair : query.split("&")) {
            if (pair.startsWith(name + "=")) {
                try {
                    return Long.parseLong(pair.substring(name.length() + 1));
                } catch (NumberFormatException e) {
                    return otherwise;
                }
            }
        }
        return otherwise;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
