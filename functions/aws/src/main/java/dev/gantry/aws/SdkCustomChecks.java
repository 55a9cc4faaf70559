package dev.gantry.aws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.CustomChecks;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.lambda.model.InvocationType;
import software.amazon.awssdk.services.lambda.model.InvokeResponse;

/**
 * {@link CustomChecks} over HTTPS endpoints (a JSON POST) and Lambda functions (a RequestResponse invoke), both asked the
 * same JSON question and both answering {@code {"status": "pass|wait|fail", "reason": "...", "retryAfterSeconds": 120}}.
 *
 * <p>Endpoints are called with the JDK's HTTP client, not a retrying library: the gate itself asks again every interval, so
 * a retry inside one evaluation would only delay the verdict, and a check that does not answer in time is simply asked again
 * later.
 */
public final class SdkCustomChecks implements CustomChecks {

    /** How long a check has to connect and answer, body included. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** An answer is a few dozen bytes; a bigger body is a wrong URL or an error page, and the function's memory is small. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;
    /** How much of an unusable body an error message quotes. */
    static final int BODY_EXCERPT_CHARS = 200;
    static final String USER_AGENT = "gantry-gate";

    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();

    private final LambdaClient lambda;
    private final HttpClient http;
    private final Duration timeout;

    /** @param lambda the client that invokes Lambda checks; null when no check names a function */
    public SdkCustomChecks(LambdaClient lambda) {
        this(lambda, DEFAULT_TIMEOUT);
    }

    /**
     * @param lambda the client that invokes Lambda checks; null when no check names a function
     * @param timeout how long a check has to connect and answer; tests shorten it
     */
    SdkCustomChecks(LambdaClient lambda, Duration timeout) {
        this.lambda = lambda;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                // One short request per check per interval gains nothing from HTTP/2, and HTTP/1.1 skips the h2c upgrade
                // the JDK would otherwise attempt on plain-HTTP URLs.
                .version(HttpClient.Version.HTTP_1_1)
                // The JDK turns a redirected POST into a GET; a check that moved should be reconfigured, not guessed at.
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public CustomAnswer ask(GateConfig.CustomCheck check, CustomQuestion question) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(question);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the question for custom check " + check.name() + " cannot be written as JSON", e);
        }
        if (check.url() != null) {
            return askEndpoint(check, body);
        }
        if (check.lambda() != null) {
            return askFunction(check, body);
        }
        throw new IllegalArgumentException("custom check " + check.name() + " names neither a url nor a lambda");
    }

    private CustomAnswer askEndpoint(GateConfig.CustomCheck check, byte[] question) {
        String asked = "custom check " + check.name() + " (" + withoutQueryOrUserInfo(check.url()) + ")";
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(check.url()))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("Accept", "application/json")
                    .header("User-Agent", USER_AGENT)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(question))
                    .build();
        } catch (IllegalArgumentException e) {
            // The parser's message quotes the whole URL, query string included, so it stays out of this one.
            throw new CustomCheckException(asked + " has a URL that is not an absolute http(s) URL", e);
        }
        CompletableFuture<HttpResponse<Body>> pending = http.sendAsync(request, info -> new LimitedBody());
        HttpResponse<Body> response;
        try {
            // The request timeout stops at the response headers; this deadline covers the body too.
            response = pending.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.cancel(true);
            throw new CustomCheckException(asked + " did not answer within " + readable(timeout), e);
        } catch (InterruptedException e) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw new CustomCheckException(asked + " was interrupted while waiting for an answer", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new CustomCheckException(asked + " did not answer within " + readable(timeout), cause);
            }
            if (cause instanceof ConnectException) {
                throw new CustomCheckException(asked + " could not be reached: connection refused or failed", cause);
            }
            throw new CustomCheckException(asked + " could not be reached: " + describe(cause), cause);
        }
        Body answer = response.body();
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            throw new CustomCheckException(asked + " answered HTTP " + response.statusCode() + ": " + excerpt(answer.bytes()), null);
        }
        if (answer.truncated()) {
            throw new CustomCheckException(asked + " answered with more than " + MAX_ANSWER_BYTES + " bytes: " + excerpt(answer.bytes()), null);
        }
        return parse(asked, answer.bytes());
    }

    private CustomAnswer askFunction(GateConfig.CustomCheck check, byte[] question) {
        String asked = "custom check " + check.name() + " (Lambda function " + check.lambda() + ")";
        if (lambda == null) {
            throw new IllegalStateException(asked + " names a Lambda function, but no Lambda client was built for custom checks");
        }
        InvokeResponse response;
        try {
            response = lambda.invoke(r -> r.functionName(check.lambda())
                    .invocationType(InvocationType.REQUEST_RESPONSE)
                    .payload(SdkBytes.fromByteArray(question))
                    .overrideConfiguration(c -> c.apiCallTimeout(timeout)));
        } catch (ApiCallTimeoutException | ApiCallAttemptTimeoutException e) {
            throw new CustomCheckException(asked + " did not answer within " + readable(timeout), e);
        } catch (AwsServiceException e) {
            throw new CustomCheckException(asked + " could not be invoked: " + e.awsErrorDetails().errorCode() + ": "
                    + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new CustomCheckException(asked + " could not be invoked: " + e.getMessage(), e);
        }
        byte[] payload = response.payload() == null ? new byte[0] : response.payload().asByteArray();
        if (response.functionError() != null) {
            // Lambda answers 200 and names the error in a header; the payload then carries the function's error message.
            throw new CustomCheckException(asked + " failed (" + response.functionError() + "): " + excerpt(payload), null);
        }
        return parse(asked, payload);
    }

    static CustomAnswer parse(String asked, byte[] body) {
        JsonNode answer;
        try {
            answer = JSON.readTree(body);
        } catch (IOException e) {
            throw new CustomCheckException(asked + " answered with something that is not JSON: " + excerpt(body), e);
        }
        if (answer == null || !answer.isObject()) {
            throw new CustomCheckException(asked + " answered with JSON that is not an object: " + excerpt(body), null);
        }
        JsonNode status = answer.get("status");
        if (status == null || !status.isTextual()) {
            throw new CustomCheckException(asked + " answered without a status (pass, wait or fail): " + excerpt(body), null);
        }
        Verdict verdict = switch (status.asText().toLowerCase(Locale.ROOT)) {
            case "pass" -> Verdict.PASS;
            case "wait" -> Verdict.WAIT;
            case "fail" -> Verdict.FAIL;
            default -> throw new CustomCheckException(asked + " answered status \"" + excerpt(status.asText())
                    + "\", which is none of pass, wait or fail", null);
        };
        JsonNode reason = answer.get("reason");
        if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw new CustomCheckException(asked + " answered a reason that is not text: " + excerpt(body), null);
        }
        JsonNode retryAfter = answer.get("retryAfterSeconds");
        Duration wait = null;
        if (retryAfter != null && !retryAfter.isNull()) {
            if (!retryAfter.isIntegralNumber() || !retryAfter.canConvertToLong() || retryAfter.asLong() < 0) {
                throw new CustomCheckException(asked + " answered retryAfterSeconds " + retryAfter
                        + ", which is not a non-negative whole number of seconds", null);
            }
            wait = Duration.ofSeconds(retryAfter.asLong());
        }
        return new CustomAnswer(verdict, reason == null || reason.isNull() ? null : reason.asText(), verdict == Verdict.WAIT ? wait : null);
    }

    /** The start of a body, on one line, for a message a person reads. */
    static String excerpt(byte[] body) {
        return excerpt(new String(body, StandardCharsets.UTF_8));
    }

    private static String excerpt(String body) {
        String text = body.strip().replaceAll("\\s+", " ");
        if (text.isEmpty()) {
            return "(empty body)";
        }
        return text.length() <= BODY_EXCERPT_CHARS ? text : text.substring(0, BODY_EXCERPT_CHARS) + "...";
    }

    /** A URL as messages may show it: a token in its query string or user info is a credential. */
    static String withoutQueryOrUserInfo(String url) {
        try {
            URI uri = new URI(url);
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return "URL not shown";
        }
    }

    private static String readable(Duration duration) {
        return duration.toMillisPart() == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null || cause.getMessage().isBlank() ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** A response body cut at {@link #MAX_ANSWER_BYTES}. */
    record Body(byte[] bytes, boolean truncated) {}

    /** Collects at most {@link #MAX_ANSWER_BYTES} of a body, then stops reading it. */
    private static final class LimitedBody implements BodySubscriber<Body> {

        private final CompletableFuture<Body> result = new CompletableFuture<>();
        private final ByteArrayOutputStream collected = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        @Override
        public CompletionStage<Body> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                int room = MAX_ANSWER_BYTES - collected.size();
                byte[] chunk = new byte[Math.min(room, buffer.remaining())];
                buffer.get(chunk);
                collected.writeBytes(chunk);
                if (buffer.hasRemaining()) {
                    subscription.cancel();
                    result.complete(new Body(collected.toByteArray(), true));
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(new Body(collected.toByteArray(), false));
        }
    }
}
