package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyStore;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The AWS the Slack acknowledgement path talks to, on loopback: Secrets Manager's GetSecretValue answering a fixed,
 * obviously fake signing secret, and SQS's SendMessage answering with the digests the SDK checks (which is why this is
 * not a canned WireMock stub: the digests depend on each request). Writes {@code AWS_ENDPOINT_URL=...} to the file
 * given as the first argument once listening, counts the calls on stdout at exit, and serves until killed.
 *
 * <p>With a PKCS12 key store and its password as second and third arguments it speaks HTTPS with that key, as AWS
 * does: a function's first call to AWS then pays for TLS (trust store, handshake) here as it does on Lambda.
 */
public final class LoopbackChatOpsAws {

    /** The signing secret the loopback Secrets Manager holds; the bench signs its requests with it. */
    public static final String SIGNING_SECRET = "bench-signing-secret-not-real";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int WARM_UP_REQUESTS = 20;

    private LoopbackChatOpsAws() {}

    public static void main(String[] args) throws Exception {
        Path endpointsFile = Path.of(args[0]);
        AtomicInteger secretReads = new AtomicInteger();
        AtomicInteger sends = new AtomicInteger();
        SSLContext tls = args.length == 3 ? tls(Path.of(args[1]), args[2].toCharArray()) : null;
        HttpServer server;
        if (tls == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } else {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            server = https;
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
            JsonNode request = JSON.readTree(exchange.getRequestBody());
            switch (target) {
                case "secretsmanager.GetSecretValue" -> {
                    secretReads.incrementAndGet();
                    answer(exchange, "application/x-amz-json-1.1", JSON.createObjectNode()
                            .put("ARN", request.path("SecretId").asText())
                            .put("Name", "gantry/slack-signing")
                            .put("SecretString", SIGNING_SECRET));
                }
                case "AmazonSQS.SendMessage" -> {
                    sends.incrementAndGet();
                    ObjectNode sent = JSON.createObjectNode()
                            .put("MessageId", "bench-" + sends.get())
                            .put("MD5OfMessageBody", SqsDigests.md5(request.path("MessageBody").asText()));
                    String attributesMd5 = SqsDigests.attributesMd5(request.path("MessageAttributes"));
                    if (attributesMd5 != null) {
                        sent.put("MD5OfMessageAttributes", attributesMd5);
                    }
                    answer(exchange, "application/x-amz-json-1.0", sent);
                }
                default -> {
                    exchange.sendResponseHeaders(400, -1);
                    exchange.close();
                }
            }
        });
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("secret reads: " + secretReads.get() + ", SendMessage calls: " + sends.get());
            server.stop(0);
        }));
        URI endpoint = URI.create((tls == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort());
        warmUp(endpoint, tls);
        Path partial = endpointsFile.resolveSibling(endpointsFile.getFileName() + ".tmp");
        Files.writeString(partial, "AWS_ENDPOINT_URL=" + endpoint + "\n", StandardCharsets.UTF_8);
        Files.move(partial, endpointsFile, StandardCopyOption.ATOMIC_MOVE);
        Thread.currentThread().join();
    }

    /** Serves with the key in {@code keyStore} and, for {@link #warmUp}, trusts its certificate. */
    private static SSLContext tls(Path keyStore, char[] password) throws Exception {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            keys.load(in, password);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(keys);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }

    /**
     * A few requests that name no operation (answered 400, not counted), each on a new connection: the first timed run
     * then pays for the function's cold start only, not for this server's first handshakes and compilation.
     */
    private static void warmUp(URI endpoint, SSLContext tls) throws IOException {
        for (int i = 0; i < WARM_UP_REQUESTS; i++) {
            HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
            if (connection instanceof HttpsURLConnection https) {
                https.setSSLSocketFactory(tls.getSocketFactory());
            }
            connection.setRequestMethod("POST");
            connection.setRequestProperty("Connection", "close");
            connection.setDoOutput(true);
            try (OutputStream out = connection.getOutputStream()) {
                out.write("{}".getBytes(StandardCharsets.UTF_8));
            }
            connection.getResponseCode();
            connection.disconnect();
        }
    }

    private static void answer(HttpExchange exchange, String contentType, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
