package dev.gantry.fn.interactions;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * One AWS JSON-protocol call (Secrets Manager's JSON 1.1, SQS's JSON 1.0), signed by the SDK's own SigV4 signer and
 * sent with the JDK's {@link HttpURLConnection}: how the slack-interactions function reaches AWS instead of through
 * the SDK's service clients. Only the signer and its request model are used of the SDK; SigV4 is never written here.
 *
 * <p>Why by hand, measured (fresh JVM per run, JDK 25, C1 only as the stack runs it, loopback AWS, two shared vCPUs,
 * runs interleaved, medians): building and first using the two service clients cost most of a second of the cold
 * start, and no client setting avoids it. The SDK resolves each client's signing region through {@code
 * ServiceMetadata.of}, which loads a metadata class for each of 313 services (2.40.2); with region, credentials, HTTP
 * client and endpoint all given explicitly the clients still took 873 ms wall and 1,160 ms CPU against 958 and 1,250.
 * Process start to the 200 ({@code scripts/bench slack-ack}): 842 ms wall and 1,080 ms CPU with the clients, 381 ms
 * and 480 ms this way; 4,657 classes loaded before, 2,260 after, of which 304 are Jackson data binding loaded by the
 * bench's runner after the handler returns.
 *
 * <p>Each call has {@link #CONNECT_TIMEOUT_MILLIS} to connect and {@link #READ_TIMEOUT_MILLIS} to answer, and a 5xx
 * or throttling answer is tried once more at once: Slack gives the whole request 3 seconds. Failures throw {@link
 * CallFailed}, naming the service, the operation and AWS's error code; a successful answer's body (which may hold a
 * secret) never goes into a message.
 */
final class AckAwsJsonClient {

    static final int CONNECT_TIMEOUT_MILLIS = 2_000;
    static final int READ_TIMEOUT_MILLIS = 2_000;

    private static final JsonFactory JSON = new JsonFactory();
    private static final int MAX_ERROR_MESSAGE_CHARS = 300;
    private static final Set<String> THROTTLING_CODES = Set.of("Throttling", "ThrottlingException", "RequestThrottled",
            "RequestThrottledException", "TooManyRequestsException", "RequestLimitExceeded");
    // The connection sets these itself from the URL and the body; they are signed from the same values.
    private static final Set<String> SET_BY_CONNECTION = Set.of("host", "content-length");

    private final String serviceName;
    private final String signingName;
    private final String targetPrefix;
    private final String contentType;
    private final URI endpoint;
    private final String region;
    private final Supplier<AwsCredentialsIdentity> credentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();

    private AckAwsJsonClient(String serviceName, String signingName, String targetPrefix, String contentType, URI endpoint,
            AckAwsEnvironment aws) {
        this.serviceName = serviceName;
        this.signingName = signingName;
        this.targetPrefix = targetPrefix;
        this.contentType = contentType;
        this.endpoint = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? endpoint.resolve("/") : endpoint;
        this.region = aws.region();
        this.credentials = aws.credentials();
    }

    static AckAwsJsonClient secretsManager(AckAwsEnvironment aws) {
        return new AckAwsJsonClient("Secrets Manager", "secretsmanager", "secretsmanager.", "application/x-amz-json-1.1",
                aws.secretsManagerEndpoint(), aws);
    }

    static AckAwsJsonClient sqs(AckAwsEnvironment aws) {
        return new AckAwsJsonClient("SQS", "sqs", "AmazonSQS.", "application/x-amz-json-1.0", aws.sqsEndpoint(), aws);
    }

    /**
     * @param operation the API operation, e.g. {@code GetSecretValue}
     * @param requestJson the operation's input as JSON, UTF-8
     * @return the body of a 2xx answer
     * @throws CallFailed when AWS cannot be reached in time or answers with an error
     */
    byte[] call(String operation, byte[] requestJson) {
        SdkHttpRequest signed = sign(operation, requestJson);
        Answer answer = send(operation, signed, requestJson);
        if (answer.retryable()) {
            answer = send(operation, signed, requestJson);
        }
        if (answer.status() / 100 != 2) {
            throw answer.failure(serviceName, operation);
        }
        return answer.body();
    }

    SdkHttpRequest sign(String operation, byte[] requestJson) {
        SdkHttpRequest request = SdkHttpRequest.builder()
                .method(SdkHttpMethod.POST)
                .uri(endpoint)
                .putHeader("Content-Type", contentType)
                .putHeader("X-Amz-Target", targetPrefix + operation)
                .build();
        SignedRequest signed = signer.sign(SignRequest.builder(credentials.get())
                .request(request)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(requestJson))
                .putProperty(AwsV4HttpSigner.REGION_NAME, region)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .build());
        return signed.request();
    }

    private Answer send(String operation, SdkHttpRequest signed, byte[] requestJson) {
        try {
            HttpURLConnection connection = (HttpURLConnection) endpoint.toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            connection.setReadTimeout(READ_TIMEOUT_MILLIS);
            connection.setRequestMethod("POST");
            connection.setDoOutput(true);
            connection.setFixedLengthStreamingMode(requestJson.length);
            for (Map.Entry<String, List<String>> header : signed.headers().entrySet()) {
                if (!SET_BY_CONNECTION.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                    connection.setRequestProperty(header.getKey(), String.join(",", header.getValue()));
                }
            }
            try (OutputStream out = connection.getOutputStream()) {
                out.write(requestJson);
            }
            int status = connection.getResponseCode();
            byte[] body;
            try (InputStream in = status / 100 == 2 ? connection.getInputStream() : connection.getErrorStream()) {
                body = in == null ? new byte[0] : in.readAllBytes();
            }
            return status / 100 == 2 ? new Answer(status, body, null, null) : error(status, connection, body);
        } catch (IOException e) {
            throw new CallFailed(serviceName + " " + operation, "failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, 0, e);
        }
    }

    /** AWS JSON errors name their type in {@code X-Amzn-ErrorType} or the body's {@code __type} or {@code code}. */
    private static Answer error(int status, HttpURLConnection connection, byte[] body) {
        String type = connection.getHeaderField("X-Amzn-ErrorType");
        String message = null;
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() == JsonToken.START_OBJECT) {
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (value == JsonToken.VALUE_STRING && ("__type".equals(field) || "code".equals(field)) && type == null) {
                        type = parser.getText();
                    } else if (value == JsonToken.VALUE_STRING && "message".equalsIgnoreCase(field)) {
                        message = parser.getText();
                    } else {
                        parser.skipChildren();
                    }
                }
            }
        } catch (IOException notJson) {
            // A proxy's or load balancer's page: the status says enough.
        }
        return new Answer(status, body, code(type), message);
    }

    /** {@code aws.protocoltests#ThrottlingException:http://...} is {@code ThrottlingException}. */
    private static String code(String type) {
        if (type == null || type.isBlank()) {
            return null;
        }
        String code = type.strip();
        int colon = code.indexOf(':');
        if (colon >= 0) {
            code = code.substring(0, colon);
        }
        return code.substring(code.lastIndexOf('#') + 1);
    }

    private record Answer(int status, byte[] body, String errorCode, String errorMessage) {

        boolean retryable() {
            return status >= 500 || status == 429 || (errorCode != null && THROTTLING_CODES.contains(errorCode));
        }

        CallFailed failure(String serviceName, String operation) {
            String reason = errorCode == null ? "HTTP " + status : errorCode + " (HTTP " + status + ")";
            String detail = errorMessage == null || errorMessage.isBlank() ? ""
                    : ": " + (errorMessage.length() > MAX_ERROR_MESSAGE_CHARS ? errorMessage.substring(0, MAX_ERROR_MESSAGE_CHARS) + "…" : errorMessage);
            return new CallFailed(serviceName + " " + operation, "was refused: " + reason + detail, errorCode, status, null);
        }
    }

    /** A call AWS refused or that did not get an answer; the message names service, operation and error code. */
    static final class CallFailed extends RuntimeException {
        private final String reason;
        private final String errorCode;
        private final int status;

        CallFailed(String call, String reason, String errorCode, int status, Throwable cause) {
            super(call + " " + reason, cause);
            this.reason = reason;
            this.errorCode = errorCode;
            this.status = status;
        }

        /** What went wrong, without the call: {@code was refused: AccessDeniedException (HTTP 400): ...}. */
        String reason() {
            return reason;
        }

        /** AWS's error code, such as {@code AccessDeniedException}; null when there was no answer or it had none. */
        String errorCode() {
            return errorCode;
        }

        /** The HTTP status AWS answered; 0 when there was no answer. */
        int status() {
            return status;
        }
    }
}
