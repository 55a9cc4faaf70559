package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * SQS's SendMessage on loopback, for the one function that talks to SQS over HTTP itself: slack-interactions hands each
 * verified request to the worker's queue with its own small client, so in the embedded run that queue needs an address.
 * Messages land in the {@link InMemoryQueue} whose URL they name; the answer carries the digests SQS computes, which
 * that client checks.
 */
final class LoopbackSqs implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String JSON_1_0 = "application/x-amz-json-1.0";

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
        Thread thread = new Thread(r, "loopback SQS");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, InMemoryQueue> queues = new LinkedHashMap<>();

    LoopbackSqs(InMemoryQueue... queues) throws IOException {
        for (InMemoryQueue queue : queues) {
            this.queues.put(queue.url(), queue);
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Where the SDK finds it: the value of {@code AWS_ENDPOINT_URL_SQS}. */
    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            if (!"AmazonSQS.SendMessage".equals(target)) {
                error(exchange, 400, "com.amazonaws.sqs#UnsupportedOperation", "the local run's SQS takes only SendMessage, not " + target);
                return;
            }
            InMemoryQueue queue = queues.get(request.path("QueueUrl").asText());
            if (queue == null) {
                error(exchange, 400, "com.amazonaws.sqs#QueueDoesNotExist", "no queue " + request.path("QueueUrl").asText());
                return;
            }
            Map<String, String> attributes = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> attribute : request.path("MessageAttributes").properties()) {
                attributes.put(attribute.getKey(), attribute.getValue().path("StringValue").asText());
            }
            String body = request.path("MessageBody").asText();
            String messageId = queue.send(body, attributes, request.path("MessageGroupId").asText(null),
                    request.path("MessageDeduplicationId").asText(null));
            ObjectNode answer = JSON.createObjectNode().put("MessageId", messageId).put("MD5OfMessageBody", SqsDigests.md5(body));
            String attributesMd5 = SqsDigests.attributesMd5(request.path("MessageAttributes"));
            if (attributesMd5 != null) {
                answer.put("MD5OfMessageAttributes", attributesMd5);
            }
            send(exchange, 200, answer);
        }
    }

    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        send(exchange, status, JSON.createObjectNode().put("__type", type).put("message", message));
    }

    private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", JSON_1_0);
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
