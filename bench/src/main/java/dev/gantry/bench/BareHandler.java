package dev.gantry.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * The floor of the cold-start comparison: a JVM that reads the function's event and makes the function's HTTP calls,
 * byte for byte as the loopback recorded them, with the JDK's {@link HttpURLConnection} (the transport under the
 * functions' SDK clients), and nothing else: no SDK, no JSON library, no configuration, no logging. What a function
 * costs above this is what its libraries and its own code cost.
 *
 * <p>Runs on a class path of this class alone and uses nothing but the JDK. Arguments: the event file, the calls in
 * {@link RecordingLoopbackAws#requestLines} format, and the endpoint to make them against. Exits non-zero when a call
 * is answered otherwise than the function's was: the floor would then have done different work.
 */
public final class BareHandler {

    /** About the size of the signature header the functions send; the loopback checks none. */
    private static final String AUTHORIZATION = "AWS4-HMAC-SHA256 Credential=floor/20260101/eu-west-1/bench/aws4_request, "
            + "SignedHeaders=content-type;host, Signature=" + "0".repeat(64);

    private BareHandler() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: BareHandler EVENT_FILE CALLS_FILE ENDPOINT");
            System.exit(2);
        }
        String event = Files.readString(Path.of(args[0]), StandardCharsets.UTF_8);
        List<String> calls = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        String endpoint = args[2];
        long answered = 0;
        for (String line : calls) {
            if (line.isEmpty()) {
                continue;
            }
            String[] call = line.split("\t", -1);
            int status = send(endpoint, call[0], call[1], call[2], call[3], Base64.getDecoder().decode(call[5]));
            if (status != Integer.parseInt(call[4])) {
                System.err.println("floor: " + call[0] + " " + call[1] + " " + call[2] + " answered " + status + ", the function's " + call[4]);
                System.exit(1);
            }
            answered++;
        }
        System.out.println("{\"event\":" + event.length() + ",\"calls\":" + answered + "}");
        System.out.flush();
        System.err.println(ColdStartBench.HANDLED);
        System.err.flush();
    }

    private static int send(String endpoint, String method, String path, String target, String contentType, byte[] body) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint + path).toURL().openConnection();
        connection.setRequestMethod(method);
        connection.setRequestProperty("Authorization", AUTHORIZATION);
        if (!"-".equals(target)) {
            connection.setRequestProperty("X-Amz-Target", target);
        }
        if (!"-".equals(contentType)) {
            connection.setRequestProperty("Content-Type", contentType);
        }
        if (body.length > 0) {
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(body.length);
            try (OutputStream out = connection.getOutputStream()) {
                out.write(body);
            }
        }
        int status = connection.getResponseCode();
        // Read to the end, as a client parsing the answer would, which also lets the connection be kept alive.
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            if (in != null) {
                in.readAllBytes();
            }
        }
        return status;
    }
}
