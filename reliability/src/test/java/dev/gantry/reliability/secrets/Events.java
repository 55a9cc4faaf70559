package dev.gantry.reliability.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.testing.Fixtures;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The sample events of {@code events/}, read verbatim, with the secrets they carry replaced by canaries, and broken
 * copies of them: a secret's value cut short, left unquoted, or the event mangled at random.
 */
final class Events {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final String JOB = "CodePipeline.job";
    private static final String BREAKS = "\"{}[],:\\";

    private Events() {}

    static ObjectNode sample(String fileName) {
        return (ObjectNode) read(Fixtures.eventText(fileName));
    }

    static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CodePipeline job sample {@code fileName} as job {@code jobId}, carrying these artifact credentials. */
    static String pipelineJob(String fileName, String jobId, Canary accessKeyId, Canary secretAccessKey, Canary sessionToken) {
        ObjectNode event = sample(fileName);
        ObjectNode job = (ObjectNode) event.get(JOB);
        job.put("id", jobId);
        ObjectNode credentials = (ObjectNode) job.path("data").path("artifactCredentials");
        credentials.put("accessKeyId", accessKeyId.value());
        credentials.put("secretAccessKey", secretAccessKey.value());
        credentials.put("sessionToken", sessionToken.value());
        return event.toString();
    }

    /** The same job with {@code data.continuationToken} set to {@code token}. */
    static String continuedPipelineJob(String fileName, String jobId, Canary accessKeyId, Canary secretAccessKey, Canary sessionToken,
            String token) {
        ObjectNode event = (ObjectNode) read(pipelineJob(fileName, jobId, accessKeyId, secretAccessKey, sessionToken));
        ((ObjectNode) event.get(JOB).path("data")).put("continuationToken", token);
        return event.toString();
    }

    /**
     * Copies of {@code event} broken where the secrets are, one set per secret: its opening quote dropped (Jackson then
     * reads it as an unknown token), the event cut inside it, and its value made an object, an array and a number.
     */
    static List<String> brokenAroundSecrets(String event, List<String> secrets) {
        List<String> broken = new ArrayList<>();
        for (String secret : secrets) {
            String quoted = "\"" + secret + "\"";
            int at = event.indexOf(quoted);
            if (at < 0) {
                throw new IllegalArgumentException("the event does not carry the secret " + secret);
            }
            broken.add(event.substring(0, at) + event.substring(at + 1));
            broken.add(event.substring(0, at) + secret + event.substring(at + quoted.length()));
            broken.add(event.substring(0, at + 1 + secret.length() / 2));
            broken.add(event.substring(0, at + quoted.length()));
            broken.add(event.replace(quoted, "{\"value\":" + quoted + "}"));
            broken.add(event.replace(quoted, "[" + quoted + "]"));
            broken.add(event.replace(quoted, "{" + quoted + "}"));
        }
        return broken;
    }

    /** {@code count} copies of {@code event}, each with one to three random cuts, deletions, doublings or stray characters. */
    static List<String> mangled(String event, Random random, int count) {
        List<String> mangled = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder copy = new StringBuilder(event);
            int changes = 1 + random.nextInt(3);
            for (int c = 0; c < changes && copy.length() > 1; c++) {
                int at = random.nextInt(copy.length());
                switch (random.nextInt(4)) {
                    case 0 -> copy.setLength(at);
                    case 1 -> copy.deleteCharAt(at);
                    case 2 -> copy.insert(at, copy.charAt(at));
                    default -> copy.setCharAt(at, BREAKS.charAt(random.nextInt(BREAKS.length())));
                }
            }
            mangled.add(copy.toString());
        }
        return mangled;
    }

    /**
     * The Lambda Developer Guide's Function URL request with Slack's request in it: method, headers and body replaced,
     * everything else as published.
     */
    static String functionUrlRequest(String method, Map<String, String> headers, String body) {
        ObjectNode event = sample("lambda-function-url-request.lambda-dev-guide.json");
        ObjectNode headerNode = event.putObject("headers");
        headers.forEach(headerNode::put);
        ((ObjectNode) event.path("requestContext").path("http")).put("method", method);
        event.put("body", body);
        event.put("isBase64Encoded", false);
        event.remove("cookies");
        return event.toString();
    }

    /** An SQS batch as Lambda delivers it: one record per body, with string message attributes. */
    static String sqsBatch(List<String> bodies, Map<String, String> messageAttributes) {
        ObjectNode batch = JSON.createObjectNode();
        var records = batch.putArray("Records");
        for (int i = 0; i < bodies.size(); i++) {
            ObjectNode record = records.addObject()
                    .put("messageId", "2e1424d4-f796-459a-8184-9c92662be6d" + i)
                    .put("receiptHandle", "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a")
                    .put("body", bodies.get(i))
                    .put("eventSource", "aws:sqs")
                    .put("eventSourceARN", "arn:aws:sqs:eu-west-1:111111111111:gantry-chatops-requests")
                    .put("awsRegion", "eu-west-1");
            record.putObject("attributes").put("ApproximateReceiveCount", "1");
            ObjectNode attributes = record.putObject("messageAttributes");
            messageAttributes.forEach((name, value) -> attributes.putObject(name).put("stringValue", value).put("dataType", "String"));
        }
        return batch.toString();
    }
}
