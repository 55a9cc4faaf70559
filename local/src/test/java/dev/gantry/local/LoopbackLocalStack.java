package dev.gantry.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * What the local run sees of LocalStack, on loopback at one port as LocalStack's edge endpoint is: its health check,
 * DynamoDB (passed on to DynamoDB Local, which LocalStack itself runs for DynamoDB), and the parts of SQS and Secrets
 * Manager the run uses, answering in the AWS JSON protocol the SDK speaks, digests included. Records every operation,
 * as {@code service.Operation}, for the tests to ask what the run did there.
 */
final class LoopbackLocalStack implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "000000000000";

    private final HttpServer server;
    private final DynamoDBProxyServer dynamo;
    private final URI dynamoUrl;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Set<String> services;
    private final Map<String, InMemoryQueue> queues = new ConcurrentHashMap<>();
    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final List<String> operations = new CopyOnWriteArrayList<>();

    /** @param services what the health check says is available, by LocalStack's names */
    LoopbackLocalStack(Set<String> services) throws Exception {
        this.services = services;
        int dynamoPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            dynamoPort = socket.getLocalPort();
        }
        dynamo = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-disableTelemetry", "-port",
                Integer.toString(dynamoPort)});
        dynamo.start();
        dynamoUrl = URI.create("http://127.0.0.1:" + dynamoPort + "/");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Every operation asked, oldest first, as {@code dynamodb.PutItem}, {@code sqs.SendMessage}, ... */
    List<String> operations() {
        return List.copyOf(operations);
    }

    /** The secrets that exist now, by ARN. */
    Map<String, String> secrets() {
        return Map.copyOf(secrets);
    }

    Set<String> queueUrls() {
        return Set.copyOf(queues.keySet());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestURI().getPath().equals("/_localstack/health")) {
                ObjectNode health = JSON.createObjectNode().put("edition", "community").put("version", "loopback");
                ObjectNode offered = health.putObject("services");
                services.forEach(service -> offered.put(service, "available"));
                send(exchange, 200, "application/json", JSON.writeValueAsBytes(health));
                return;
            }
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (target.startsWith("DynamoDB_20120810.")) {
                operations.add("dynamodb." + target.substring(target.indexOf('.') + 1));
                forwardToDynamoDbLocal(exchange, target, body);
                return;
            }
            JsonNode request = JSON.readTree(body);
            String operation = target.substring(target.indexOf('.') + 1);
            if (target.startsWith("AmazonSQS.")) {
                operations.add("sqs." + operation);
                sqs(exchange, operation, request);
            } else if (target.startsWith("secretsmanager.")) {
                operations.add("secretsmanager." + operation);
                secretsManager(exchange, operation, request);
            } else {
                error(exchange, "UnknownOperationException", "the loopback LocalStack does not answer " + target);
            }
        }
    }

    private void forwardToDynamoDbLocal(HttpExchange exchange, String target, byte[] body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(dynamoUrl).POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("X-Amz-Target", target)
                .header("Content-Type", exchange.getRequestHeaders().getFirst("Content-Type"));
        for (String header : List.of("Authorization", "X-Amz-Date")) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        try {
            HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            answer.headers().firstValue("x-amz-crc32").ifPresent(crc -> exchange.getResponseHeaders().add("x-amz-crc32", crc));
            send(exchange, answer.statusCode(), answer.headers().firstValue("Content-Type").orElse("application/x-amz-json-1.0"), answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void sqs(HttpExchange exchange, String operation, JsonNode request) throws IOException {
        switch (operation) {
            case "CreateQueue" -> {
                String url = endpoint() + "/" + ACCOUNT + "/" + request.path("QueueName").asText();
                queues.putIfAbsent(url, new InMemoryQueue(url, Clock.systemUTC()));
                json(exchange, JSON.createObjectNode().put("QueueUrl", url));
            }
            case "DeleteQueue" -> {
                queues.remove(request.path("QueueUrl").asText());
                json(exchange, JSON.createObjectNode());
            }
            case "SendMessage" -> {
                InMemoryQueue queue = queue(exchange, request);
                if (queue == null) {
                    return;
                }
                Map<String, String> attributes = new LinkedHashMap<>();
                request.path("MessageAttributes").properties().forEach(a -> attributes.put(a.getKey(), a.getValue().path("StringValue").asText()));
                String body = request.path("MessageBody").asText();
                ObjectNode sent = JSON.createObjectNode()
                        .put("MessageId", queue.send(body, attributes, request.path("MessageGroupId").asText(null),
                                request.path("MessageDeduplicationId").asText(null)))
                        .put("MD5OfMessageBody", SqsDigests.md5(body));
                String attributesMd5 = SqsDigests.attributesMd5(request.path("MessageAttributes"));
                if (attributesMd5 != null) {
                    sent.put("MD5OfMessageAttributes", attributesMd5);
                }
                json(exchange, sent);
            }
            case "ReceiveMessage" -> {
                InMemoryQueue queue = queue(exchange, request);
                if (queue == null) {
                    return;
                }
                ObjectNode received = JSON.createObjectNode();
                ArrayNode messages = received.putArray("Messages");
                for (LocalQueue.Message message : queue.receive(request.path("MaxNumberOfMessages").asInt(1))) {
                    ObjectNode delivered = messages.addObject()
                            .put("MessageId", message.messageId())
                            .put("ReceiptHandle", message.receiptHandle())
                            .put("MD5OfBody", SqsDigests.md5(message.body()))
                            .put("Body", message.body());
                    ObjectNode attributes = delivered.putObject("Attributes");
                    message.attributes().forEach(attributes::put);
                    if (!message.messageAttributes().isEmpty()) {
                        ObjectNode messageAttributes = delivered.putObject("MessageAttributes");
                        message.messageAttributes().forEach((name, value) -> messageAttributes.putObject(name).put("DataType", "String")
                                .put("StringValue", value));
                        delivered.put("MD5OfMessageAttributes", SqsDigests.attributesMd5(messageAttributes));
                    }
                }
                json(exchange, received);
            }
            case "DeleteMessage", "ChangeMessageVisibility" -> {
                InMemoryQueue queue = queue(exchange, request);
                if (queue == null) {
                    return;
                }
                LocalQueue.Message handle = new LocalQueue.Message(null, request.path("ReceiptHandle").asText(), null, Map.of(), Map.of());
                if (operation.equals("DeleteMessage")) {
                    queue.delete(handle);
                } else {
                    queue.retryLater(handle);
                }
                json(exchange, JSON.createObjectNode());
            }
            case "GetQueueAttributes" -> {
                InMemoryQueue queue = queue(exchange, request);
                if (queue == null) {
                    return;
                }
                String count = queue.drained() ? "0" : "1";
                ObjectNode answer = JSON.createObjectNode();
                answer.putObject("Attributes").put("ApproximateNumberOfMessages", count).put("ApproximateNumberOfMessagesNotVisible", count);
                json(exchange, answer);
            }
            default -> error(exchange, "UnsupportedOperation", "the loopback LocalStack's SQS does not answer " + operation);
        }
    }

    private InMemoryQueue queue(HttpExchange exchange, JsonNode request) throws IOException {
        InMemoryQueue queue = queues.get(request.path("QueueUrl").asText());
        if (queue == null) {
            error(exchange, "AWS.SimpleQueueService.NonExistentQueue", "no queue " + request.path("QueueUrl").asText());
        }
        return queue;
    }

    private void secretsManager(HttpExchange exchange, String operation, JsonNode request) throws IOException {
        switch (operation) {
            case "CreateSecret" -> {
                String name = request.path("Name").asText();
                String arn = "arn:aws:secretsmanager:us-east-1:" + ACCOUNT + ":secret:" + name + "-" + UUID.randomUUID().toString().substring(0, 6);
                secrets.put(arn, request.path("SecretString").asText());
                json(exchange, JSON.createObjectNode().put("ARN", arn).put("Name", name).put("VersionId", UUID.randomUUID().toString()));
            }
            case "GetSecretValue" -> {
                String arn = request.path("SecretId").asText();
                String value = secrets.get(arn);
                if (value == null) {
                    error(exchange, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
                    return;
                }
                ObjectNode answer = JSON.createObjectNode().put("ARN", arn).put("Name", arn.substring(arn.indexOf(":secret:") + 8))
                        .put("SecretString", value).put("VersionId", "1").put("CreatedDate", Instant.now().getEpochSecond());
                answer.putArray("VersionStages").add("AWSCURRENT");
                json(exchange, answer);
            }
            case "DeleteSecret" -> {
                String arn = request.path("SecretId").asText();
                secrets.remove(arn);
                json(exchange, JSON.createObjectNode().put("ARN", arn).put("DeletionDate", Instant.now().getEpochSecond()));
            }
            default -> error(exchange, "UnsupportedOperation", "the loopback LocalStack's Secrets Manager does not answer " + operation);
        }
    }

    private static void json(HttpExchange exchange, ObjectNode body) throws IOException {
        send(exchange, 200, "application/x-amz-json-1.0", JSON.writeValueAsBytes(body));
    }

    private static void error(HttpExchange exchange, String type, String message) throws IOException {
        send(exchange, 400, "application/x-amz-json-1.0", JSON.writeValueAsBytes(JSON.createObjectNode().put("__type", type).put("message", message)));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() throws Exception {
        server.stop(0);
        dynamo.stop();
    }

    /** Operations of {@code service} asked so far, in order, without the service prefix. */
    List<String> operationsOf(String service) {
        List<String> of = new ArrayList<>();
        for (String operation : operations) {
            if (operation.startsWith(service + ".")) {
                of.add(operation.substring(service.length() + 1));
            }
        }
        return of;
    }
}
