package dev.gantry.bench;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.aws.StateTable;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Every AWS service a Gantry function calls, and the Slack Web API, on loopback, once per contender of the cold-start
 * comparison: the function itself ({@code java}), the bare handler ({@code floor}) and boto3 ({@code python}) each get
 * an endpoint of their own and a DynamoDB of their own, so each finds the table as its own earlier runs left it and none
 * sees another's writes. DynamoDB is DynamoDB Local (each endpoint forwards to it under its own name, which DynamoDB
 * Local keeps apart as it keeps access keys apart); ECS answers from the canned responses in {@code events/}; the
 * others answer what the functions and boto3 need to carry on.
 *
 * <p>Every call is recorded per endpoint: service, operation, method, path, body and the status answered. {@code GET
 * /__bench/calls} on an endpoint hands over its record as JSON ({@code ?as=lines} in the bare handler's line format)
 * and {@code ?clear=true} starts a new one; the calls to {@code /__bench/} are not recorded. A call nothing here
 * answers is answered 501 and recorded so, for the bench to fail on.
 *
 * <p>Arguments: the file to write {@code JAVA_ENDPOINT=...}, {@code FLOOR_ENDPOINT=...} and {@code PYTHON_ENDPOINT=...}
 * to once all are up, and the events directory. Serves until killed.
 */
public final class RecordingLoopbackAws {

    static final List<String> CONTENDERS = List.of("java", "primed", "floor", "python");
    static final String TABLE = "gantry-state";
    static final String REGION = "eu-west-1";
    /** Obviously fake, as every secret here: what Secrets Manager answers for the Slack bot token and signing secret. */
    static final String BOT_TOKEN = "bench-bot-token-not-real";
    static final String SIGNING_SECRET = "bench-signing-secret-not-real";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, String> JSON_SERVICES = Map.of(
            "DynamoDB_20120810", "dynamodb",
            "AmazonEC2ContainerServiceV20141113", "ecs",
            "AmazonEC2ContainerRegistry_V20150921", "ecr",
            "CodePipeline_20150709", "codepipeline",
            "CodeBuild_20161006", "codebuild",
            "AmazonSSM", "ssm",
            "AmazonSQS", "sqs",
            "secretsmanager", "secretsmanager",
            "GraniteServiceVersion20100801", "cloudwatch");
    private static final Map<String, String> QUERY_SERVICES = Map.of("2010-08-01", "cloudwatch", "2012-11-05", "sqs", "2011-06-15", "sts");
    private static final String CLOUDWATCH_XMLNS = "http://monitoring.amazonaws.com/doc/2010-08-01/";
    private static final String SQS_XMLNS = "http://queue.amazonaws.com/doc/2012-11-05/";

    private final URI dynamoDb;
    private final DynamoDBProxyServer dynamoServer;
    private final HttpClient forward = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final Map<String, byte[]> ecsAnswers = new LinkedHashMap<>();
    private final byte[] rolledOut;
    private final byte[] pipelineArtifact;
    private final byte[] imageConfig;
    private final String imageConfigDigest;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    private final Map<String, String> digestByTag = new ConcurrentHashMap<>();

    private RecordingLoopbackAws(Path events, URI dynamoDb, DynamoDBProxyServer dynamoServer) throws IOException {
        this.dynamoDb = dynamoDb;
        this.dynamoServer = dynamoServer;
        for (String operation : List.of("DescribeServices", "DescribeTaskDefinition", "RegisterTaskDefinition", "UpdateService",
                "ListTaskDefinitions", "DeregisterTaskDefinition")) {
            String kebab = operation.replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
            String file = "gantry-ecs-response-" + kebab + "-payments-api.json";
            ecsAnswers.put(operation, Files.readAllBytes(events.resolve(file)));
        }
        ObjectNode updated = (ObjectNode) JSON.readTree(ecsAnswers.get("UpdateService")).path("service").deepCopy();
        updated.put("serviceArn", "arn:aws:ecs:eu-west-1:111111111111:service/staging/payments-api")
                .put("clusterArn", "arn:aws:ecs:eu-west-1:111111111111:cluster/staging");
        for (JsonNode deployment : updated.path("deployments")) {
            ((ObjectNode) deployment).put("rolloutState", "COMPLETED").put("desiredCount", 2).put("runningCount", 2).put("pendingCount", 0);
        }
        ObjectNode described = JSON.createObjectNode();
        described.putArray("services").add(updated);
        described.putArray("failures");
        this.rolledOut = JSON.writeValueAsBytes(described);
        this.pipelineArtifact = zip("imagedefinitions.json", Files.readAllBytes(events.resolve("gantry-imagedefinitions-payments-api.json")));
        // An image configuration naming its base, as Gantry's builds label their images; served at the URL ECR hands out.
        this.imageConfig = JSON.writeValueAsBytes(JSON.createObjectNode().set("config", JSON.createObjectNode().set("Labels",
                JSON.createObjectNode().put("org.opencontainers.image.base.name", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21:latest"))));
        this.imageConfigDigest = "sha256:" + sha256(imageConfig);
    }

    public static void main(String[] args) throws Exception {
        Path endpointsFile = Path.of(args[0]);
        RecordingLoopbackAws aws = open(Path.of(args.length > 1 ? args[1] : "events"));
        Runtime.getRuntime().addShutdownHook(new Thread(aws::close));
        StringBuilder lines = new StringBuilder();
        for (String contender : CONTENDERS) {
            lines.append(contender.toUpperCase(java.util.Locale.ROOT)).append("_ENDPOINT=").append(aws.endpoint(contender).url()).append('\n');
        }
        Path partial = endpointsFile.resolveSibling(endpointsFile.getFileName() + ".tmp");
        Files.writeString(partial, lines, StandardCharsets.UTF_8);
        Files.move(partial, endpointsFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    /** DynamoDB Local with Gantry's table for every contender, and every contender's endpoint, serving. */
    static RecordingLoopbackAws open(Path events) throws Exception {
        int dynamoPort = freePort();
        DynamoDBProxyServer dynamoServer;
        // DynamoDB Local announces its settings on standard output, which is where the bench prints its figures.
        java.io.PrintStream out = System.out;
        System.setOut(new java.io.PrintStream(OutputStream.nullOutputStream()));
        try {
            dynamoServer = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(dynamoPort)});
            dynamoServer.start();
        } finally {
            System.setOut(out);
        }
        URI dynamoUrl = URI.create("http://127.0.0.1:" + dynamoPort);
        for (String contender : CONTENDERS) {
            // DynamoDB Local keeps one database per access key: the name each endpoint forwards under.
            try (DynamoDbClient dynamo = DynamoDbClient.builder()
                    .endpointOverride(dynamoUrl)
                    .region(Region.of(REGION))
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(contender, "bench")))
                    .httpClient(UrlConnectionHttpClient.create())
                    .build()) {
                StateTable.createIfMissing(dynamo, TABLE);
            }
        }
        RecordingLoopbackAws aws = new RecordingLoopbackAws(events, dynamoUrl, dynamoServer);
        for (String contender : CONTENDERS) {
            aws.start(contender);
        }
        return aws;
    }

    /** Stops every endpoint and DynamoDB Local. */
    void close() {
        endpoints.values().forEach(e -> e.server().stop(0));
        try {
            dynamoServer.stop();
        } catch (Exception e) {
            // Closing anyway.
        }
    }

    /**
     * One contender's endpoint and what was called on it; {@code rolloutDone} makes ECS tell that the last deploy's
     * rollout has completed.
     */
    record Endpoint(String contender, HttpServer server, String url, List<ObjectNode> calls, AtomicBoolean rolloutDone) {}

    /** The contender's endpoint; {@link #start} it first. */
    Endpoint endpoint(String contender) {
        return endpoints.get(contender);
    }

    /** The calls made on the contender's endpoint since the last take, oldest first. */
    List<ObjectNode> take(String contender) {
        List<ObjectNode> calls = endpoints.get(contender).calls();
        synchronized (calls) {
            List<ObjectNode> taken = new ArrayList<>(calls);
            calls.clear();
            return taken;
        }
    }

    /**
     * Makes ECR's DescribeImages of {@code repository:tag} answer {@code digest}, as ECR does once that push happened:
     * image-rebuild plans nothing on a push whose tag names another digest by the time it is handled. Tags never pushed
     * answer a fresh digest.
     */
    void tagPointsAt(String repository, String tag, String digest) {
        digestByTag.put(repository + ":" + tag, digest);
    }

    /**
     * Whether ECS's DescribeServices, on every endpoint, answers with the service as the canned UpdateService left it and
     * its deployment's rollout COMPLETED, as ECS does when it sends the event rollout-follow handles; otherwise with the
     * canned service as it was before any deploy.
     */
    void rolloutDone(boolean done) {
        endpoints.values().forEach(e -> e.rolloutDone().set(done));
    }

    private Endpoint start(String contender) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        Endpoint endpoint = new Endpoint(contender, server, "http://127.0.0.1:" + server.getAddress().getPort(), new ArrayList<>(),
                new AtomicBoolean());
        server.createContext("/", exchange -> {
            try {
                serve(endpoint, exchange);
            } catch (RuntimeException | IOException e) {
                e.printStackTrace();
                answer(exchange, 500, "text/plain", ("bench loopback failed: " + e).getBytes(StandardCharsets.UTF_8), Map.of());
            }
        });
        server.start();
        endpoints.put(contender, endpoint);
        return endpoint;
    }

    private void serve(Endpoint endpoint, HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        if (path.startsWith("/__bench/")) {
            control(endpoint, exchange);
            return;
        }
        byte[] body = exchange.getRequestBody().readAllBytes();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
        Map<String, String> form = contentType.startsWith("application/x-www-form-urlencoded")
                ? form(new String(body, StandardCharsets.UTF_8))
                : Map.of();
        String service;
        String operation;
        if (target != null && target.contains(".")) {
            String prefix = target.substring(0, target.indexOf('.'));
            service = JSON_SERVICES.getOrDefault(prefix, prefix);
            operation = target.substring(target.indexOf('.') + 1);
        } else if (form.containsKey("Action")) {
            service = QUERY_SERVICES.getOrDefault(form.get("Version"), "query " + form.get("Version"));
            operation = form.get("Action");
        } else if (path.startsWith("/api/")) {
            service = "slack";
            operation = path.substring("/api/".length());
        } else if (path.startsWith("/slack/")) {
            service = "slack";
            operation = "response_url";
        } else if (path.startsWith("/blobs/")) {
            service = "ecr-blob";
            operation = "GET";
        } else if ("GET".equals(exchange.getRequestMethod())) {
            service = "s3";
            operation = "GetObject";
        } else {
            service = "unknown";
            operation = exchange.getRequestMethod() + " " + path;
        }
        Answer answer = answer(endpoint, service, operation, target != null, body, form);
        ObjectNode call = JSON.createObjectNode()
                .put("seq", sequence.incrementAndGet())
                .put("service", service)
                .put("operation", operation)
                .put("method", exchange.getRequestMethod())
                .put("path", exchange.getRequestURI().getRawPath()
                        + (exchange.getRequestURI().getRawQuery() == null ? "" : "?" + exchange.getRequestURI().getRawQuery()))
                .put("target", target)
                .put("contentType", "null".equals(contentType) ? null : contentType)
                .put("body", new String(body, StandardCharsets.UTF_8))
                .put("status", answer.status());
        synchronized (endpoint.calls()) {
            endpoint.calls().add(call);
        }
        answer(exchange, answer.status(), answer.contentType(), answer.body(), answer.headers());
    }

    record Answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        static Answer json(String contentType, Object body) {
            try {
                return new Answer(200, contentType, body instanceof byte[] bytes ? bytes : JSON.writeValueAsBytes(body), Map.of());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer xml(String body) {
            return new Answer(200, "text/xml", body.getBytes(StandardCharsets.UTF_8), Map.of());
        }
    }

    private Answer answer(Endpoint endpoint, String service, String operation, boolean jsonProtocol, byte[] body,
            Map<String, String> form) throws IOException {
        String json11 = "application/x-amz-json-1.1";
        String json10 = "application/x-amz-json-1.0";
        JsonNode request = jsonProtocol && body.length > 0 ? JSON.readTree(body) : JSON.createObjectNode();
        switch (service + " " + operation) {
            case "ecs DescribeServiceRevisions" -> {
                return Answer.json(json11, serviceRevisions(request));
            }
            case "ecr DescribeImages" -> {
                return Answer.json(json11, images(request));
            }
            case "ecr BatchGetImage" -> {
                return Answer.json(json11, manifests(request));
            }
            case "ecr GetDownloadUrlForLayer" -> {
                return Answer.json(json11, JSON.createObjectNode().put("layerDigest", request.path("layerDigest").asText())
                        .put("downloadUrl", endpoint.url() + "/blobs/" + request.path("layerDigest").asText()));
            }
            case "ecr-blob GET" -> {
                return new Answer(200, "application/octet-stream", imageConfig, Map.of());
            }
            case "codepipeline PutJobSuccessResult", "codepipeline PutJobFailureResult", "codepipeline PutApprovalResult" -> {
                return Answer.json(json11, JSON.createObjectNode());
            }
            case "codebuild StartBuild" -> {
                return Answer.json(json11, build(request));
            }
            case "codepipeline StartPipelineExecution" -> {
                return Answer.json(json11, JSON.createObjectNode().put("pipelineExecutionId", uuidLike()));
            }
            case "secretsmanager GetSecretValue" -> {
                String id = request.path("SecretId").asText();
                return Answer.json(json11, JSON.createObjectNode().put("ARN", id).put("Name", id.replaceAll(".*:secret:", ""))
                        .put("VersionId", "bench-version").put("SecretString", id.contains("signing") ? SIGNING_SECRET : BOT_TOKEN));
            }
            case "sqs SendMessage" -> {
                return jsonProtocol ? Answer.json(json10, sent(request)) : Answer.xml(sentXml(form));
            }
            case "cloudwatch DescribeAlarms" -> {
                return Answer.xml(alarms());
            }
            case "s3 GetObject" -> {
                return new Answer(200, "application/zip", pipelineArtifact, Map.of("ETag", "\"" + md5(pipelineArtifact) + "\""));
            }
            case "slack chat.postMessage", "slack chat.update" -> {
                return Answer.json("application/json", JSON.createObjectNode().put("ok", true).put("channel", "C0RELEASES")
                        .put("ts", Instant.now().getEpochSecond() + "." + String.format(java.util.Locale.ROOT, "%06d", sequence.get() % 1_000_000)));
            }
            case "slack usergroups.users.list" -> {
                ObjectNode users = JSON.createObjectNode().put("ok", true);
                users.putArray("users").add("U0EXAMPLE1").add("U0EXAMPLE2");
                return Answer.json("application/json", users);
            }
            case "slack response_url" -> {
                return new Answer(200, "text/plain", "ok".getBytes(StandardCharsets.UTF_8), Map.of());
            }
            default -> {
                // Falls through to the services answered by name below.
            }
        }
        if ("dynamodb".equals(service)) {
            return forwardToDynamoDb(endpoint.contender(), operation, body);
        }
        if ("ecs".equals(service) && "DescribeServices".equals(operation) && endpoint.rolloutDone().get()) {
            return Answer.json(json11, rolledOut);
        }
        if ("ecs".equals(service) && ecsAnswers.containsKey(operation)) {
            return Answer.json(json11, ecsAnswers.get(operation));
        }
        String message = "the bench loopback does not answer " + service + " " + operation;
        return new Answer(501, json11, JSON.writeValueAsBytes(JSON.createObjectNode().put("__type", "NotImplemented").put("message", message)),
                Map.of());
    }

    /**
     * Under the contender's own name, which DynamoDB Local takes from the credential scope and uses to pick the database;
     * it checks no signature, so none is computed.
     */
    private Answer forwardToDynamoDb(String contender, String operation, byte[] body) throws IOException {
        String date = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(Instant.now());
        HttpRequest request = HttpRequest.newBuilder(dynamoDb)
                .header("Content-Type", "application/x-amz-json-1.0")
                .header("X-Amz-Target", "DynamoDB_20120810." + operation)
                .header("X-Amz-Date", date)
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + contender + "/" + date.substring(0, 8) + "/" + REGION
                        + "/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0".repeat(64))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = forward.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted forwarding to DynamoDB Local", e);
        }
        Map<String, String> headers = new TreeMap<>();
        response.headers().firstValue("x-amz-crc32").ifPresent(crc -> headers.put("x-amz-crc32", crc));
        return new Answer(response.statusCode(), "application/x-amz-json-1.0", response.body(), headers);
    }

    /** The revision a lifecycle hook names, running a digest never seen before: each hook is a new release at the gate. */
    private ObjectNode serviceRevisions(JsonNode request) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode revisions = answer.putArray("serviceRevisions");
        for (JsonNode arn : request.path("serviceRevisionArns")) {
            String[] resource = arn.asText().split(":", 6)[5].split("/");
            ObjectNode revision = revisions.addObject()
                    .put("serviceRevisionArn", arn.asText())
                    .put("serviceArn", "arn:aws:ecs:eu-west-1:111111111111:service/" + resource[1] + "/" + resource[2])
                    .put("clusterArn", "arn:aws:ecs:eu-west-1:111111111111:cluster/" + resource[1])
                    .put("taskDefinition", "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-" + resource[1] + ":42");
            revision.putArray("containerImages").addObject()
                    .put("containerName", "app")
                    .put("imageDigest", freshDigest())
                    .put("image", "111111111111.dkr.ecr.eu-west-1.amazonaws.com/payments-api:1.4.0");
        }
        answer.putArray("failures");
        return answer;
    }

    /** Each image asked for by tag, pushed just now under a digest never seen before, so every run deploys anew. */
    private ObjectNode images(JsonNode request) {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode details = answer.putArray("imageDetails");
        for (JsonNode id : request.path("imageIds")) {
            ObjectNode detail = details.addObject()
                    .put("registryId", request.path("registryId").asText("111111111111"))
                    .put("repositoryName", request.path("repositoryName").asText())
                    .put("imageDigest", id.has("imageDigest") ? id.path("imageDigest").asText()
                            : digestByTag.getOrDefault(request.path("repositoryName").asText() + ":" + id.path("imageTag").asText(),
                                    freshDigest()))
                    .put("imagePushedAt", Instant.now().getEpochSecond())
                    .put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json");
            detail.putArray("imageTags").add(id.has("imageTag") ? id.path("imageTag").asText() : "latest");
        }
        return answer;
    }

    /** Single-platform OCI manifests whose configuration is the labelled one served under {@code /blobs/}. */
    private ObjectNode manifests(JsonNode request) throws IOException {
        ObjectNode answer = JSON.createObjectNode();
        ArrayNode images = answer.putArray("images");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", imageConfigDigest)
                .put("size", imageConfig.length);
        manifest.putArray("layers");
        for (JsonNode id : request.path("imageIds")) {
            ObjectNode image = images.addObject()
                    .put("registryId", request.path("registryId").asText("111111111111"))
                    .put("repositoryName", request.path("repositoryName").asText())
                    .put("imageManifest", JSON.writeValueAsString(manifest))
                    .put("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json");
            image.set("imageId", id);
        }
        answer.putArray("failures");
        return answer;
    }

    private ObjectNode build(JsonNode request) {
        String project = request.path("projectName").asText();
        String id = project + ":" + uuidLike();
        ObjectNode answer = JSON.createObjectNode();
        answer.putObject("build").put("id", id).put("arn", "arn:aws:codebuild:eu-west-1:111111111111:build/" + id)
                .put("projectName", project).put("buildStatus", "IN_PROGRESS").put("currentPhase", "QUEUED")
                .put("startTime", Instant.now().getEpochSecond());
        return answer;
    }

    private ObjectNode sent(JsonNode request) throws IOException {
        ObjectNode answer = JSON.createObjectNode()
                .put("MessageId", uuidLike())
                .put("MD5OfMessageBody", md5(request.path("MessageBody").asText().getBytes(StandardCharsets.UTF_8)));
        Map<String, String[]> attributes = new TreeMap<>();
        request.path("MessageAttributes").properties().forEach(a -> attributes.put(a.getKey(),
                new String[] {a.getValue().path("DataType").asText(), a.getValue().path("StringValue").asText()}));
        if (!attributes.isEmpty()) {
            answer.put("MD5OfMessageAttributes", attributesMd5(attributes));
        }
        if (request.hasNonNull("MessageGroupId")) {
            answer.put("SequenceNumber", Long.toString(10_000_000_000_000_000L + sequence.get()));
        }
        return answer;
    }

    private String sentXml(Map<String, String> form) throws IOException {
        Map<String, String[]> attributes = new TreeMap<>();
        for (int i = 1; form.containsKey("MessageAttribute." + i + ".Name"); i++) {
            attributes.put(form.get("MessageAttribute." + i + ".Name"), new String[] {form.get("MessageAttribute." + i + ".Value.DataType"),
                    form.get("MessageAttribute." + i + ".Value.StringValue")});
        }
        return "<SendMessageResponse xmlns=\"" + SQS_XMLNS + "\"><SendMessageResult>"
                + "<MD5OfMessageBody>" + md5(form.getOrDefault("MessageBody", "").getBytes(StandardCharsets.UTF_8)) + "</MD5OfMessageBody>"
                + (attributes.isEmpty() ? "" : "<MD5OfMessageAttributes>" + attributesMd5(attributes) + "</MD5OfMessageAttributes>")
                + "<MessageId>" + uuidLike() + "</MessageId>"
                + (form.containsKey("MessageGroupId") ? "<SequenceNumber>" + (10_000_000_000_000_000L + sequence.get()) + "</SequenceNumber>" : "")
                + "</SendMessageResult><ResponseMetadata><RequestId>" + uuidLike() + "</RequestId></ResponseMetadata></SendMessageResponse>";
    }

    /** The gate's alarm, quiet for a day: the alarm check passes, as it does for most releases. */
    private static String alarms() {
        String quietSince = DateTimeFormatter.ISO_INSTANT.format(Instant.now().minusSeconds(86_400).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        return "<DescribeAlarmsResponse xmlns=\"" + CLOUDWATCH_XMLNS + "\"><DescribeAlarmsResult><MetricAlarms><member>"
                + "<AlarmName>payments-api-5xx</AlarmName><AlarmArn>arn:aws:cloudwatch:eu-west-1:111111111111:alarm:payments-api-5xx</AlarmArn>"
                + "<Namespace>AWS/ApplicationELB</Namespace><MetricName>HTTPCode_Target_5XX_Count</MetricName><StateValue>OK</StateValue>"
                + "<StateReason>Threshold Crossed: no datapoints were above the threshold</StateReason>"
                + "<StateUpdatedTimestamp>" + quietSince + "</StateUpdatedTimestamp>"
                + "<StateTransitionedTimestamp>" + quietSince + "</StateTransitionedTimestamp>"
                + "</member></MetricAlarms><CompositeAlarms></CompositeAlarms></DescribeAlarmsResult>"
                + "<ResponseMetadata><RequestId>" + uuidLike() + "</RequestId></ResponseMetadata></DescribeAlarmsResponse>";
    }

    private void control(Endpoint endpoint, HttpExchange exchange) throws IOException {
        exchange.getRequestBody().readAllBytes();
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery());
        if (!exchange.getRequestURI().getPath().equals("/__bench/calls")) {
            answer(exchange, 404, "text/plain", "GET /__bench/calls[?as=lines][&clear=true]".getBytes(StandardCharsets.UTF_8), Map.of());
            return;
        }
        List<ObjectNode> calls;
        synchronized (endpoint.calls()) {
            calls = new ArrayList<>(endpoint.calls());
            if (Boolean.parseBoolean(query.getOrDefault("clear", "false"))) {
                endpoint.calls().clear();
            }
        }
        if ("lines".equals(query.get("as"))) {
            answer(exchange, 200, "text/plain", requestLines(calls).getBytes(StandardCharsets.UTF_8), Map.of());
        } else {
            ArrayNode array = JSON.createArrayNode();
            calls.forEach(array::add);
            answer(exchange, 200, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(array), Map.of());
        }
    }

    /**
     * The calls in the line format {@link BareHandler} reads, which a JDK without a JSON library can parse: per call, tab
     * separated, the method, the path, the X-Amz-Target ({@code -} for none), the content type ({@code -} for none), the
     * status answered, and the body in base64.
     */
    static String requestLines(List<ObjectNode> calls) {
        StringBuilder lines = new StringBuilder();
        for (ObjectNode call : calls) {
            lines.append(call.path("method").asText()).append('\t')
                    .append(call.path("path").asText()).append('\t')
                    .append(call.path("target").asText("-").isEmpty() ? "-" : call.path("target").asText("-")).append('\t')
                    .append(call.path("contentType").asText("-").isEmpty() ? "-" : call.path("contentType").asText("-")).append('\t')
                    .append(call.path("status").asInt()).append('\t')
                    .append(base64(call.path("body").asText().getBytes(StandardCharsets.UTF_8))).append('\n');
        }
        return lines.toString();
    }

    private static void answer(HttpExchange exchange, int status, String contentType, byte[] body, Map<String, String> headers)
            throws IOException {
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.getResponseHeaders().add("x-amzn-RequestId", uuidLike());
        headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(name));
            zip.write(content);
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private final AtomicLong digests = new AtomicLong();

    private String freshDigest() {
        return "sha256:" + sha256(("bench image " + ProcessHandle.current().pid() + " " + digests.incrementAndGet()).getBytes(StandardCharsets.UTF_8));
    }

    private static String uuidLike() {
        return java.util.UUID.randomUUID().toString();
    }

    /** SQS's digest of string attributes: by name, each of name, type, transport type 1 and value, lengths first. */
    private static String attributesMd5(Map<String, String[]> sortedAttributes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataOutputStream data = new DataOutputStream(out);
        for (Map.Entry<String, String[]> attribute : sortedAttributes.entrySet()) {
            for (String part : new String[] {attribute.getKey(), attribute.getValue()[0]}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                data.writeInt(bytes.length);
                data.write(bytes);
            }
            data.writeByte(1);
            byte[] value = attribute.getValue()[1].getBytes(StandardCharsets.UTF_8);
            data.writeInt(value.length);
            data.write(value);
        }
        return md5(out.toByteArray());
    }

    private static String md5(byte[] bytes) {
        return digest("MD5", bytes);
    }

    static String sha256(byte[] bytes) {
        return digest("SHA-256", bytes);
    }

    private static String digest(String algorithm, byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
