package dev.gantry.reliability.faults;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.testing.PipelineArtifacts;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run of a CodePipeline "AWS Lambda invoke" action, delivered as CodePipeline and its operators deliver it: a job
 * that got no result (the invocation failed) is replayed from the failure queue as it was; a job that got a failure
 * result is over, and the stage is retried, which is a new job; a job that got a continuation token is followed by a
 * continuation job carrying that token. Every job must get at most one result, and the run ends with a success
 * without a token.
 */
final class PipelineRun {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUT_SUCCESS = "PutJobSuccessResult";
    private static final String PUT_FAILURE = "PutJobFailureResult";
    private static final String ARTIFACT_BUCKET = "eu-west-1-111111111111-payments-api";

    private final String firstJobEvent;
    private final String continuationJobEvent;
    private final String function;
    private final String sampleJobId;
    private int jobs;
    private String jobId;
    private String continuationToken;

    /**
     * @param firstJobEvent the sample event of the action's first job
     * @param continuationJobEvent the sample event of a continuation job, whose token is replaced by the one put; null
     *     for an action that never continues
     */
    PipelineRun(String firstJobEvent, String continuationJobEvent, String function) {
        this.firstJobEvent = firstJobEvent;
        this.continuationJobEvent = continuationJobEvent;
        this.function = function;
        this.sampleJobId = read(firstJobEvent).at("/CodePipeline.job/id").asText();
        restart();
    }

    /** A new run: the next delivery is the sample's first job, exactly as published. */
    void restart() {
        jobs = 0;
        jobId = sampleJobId;
        continuationToken = null;
    }

    /**
     * Delivers the job CodePipeline (or the operator) sends next and works out the one after it. Throws, as the
     * invocation did, when it failed; and, with the result as the reason, when the job failed or continued, because the
     * action is then not done and the next job is the redelivery.
     *
     * @return the handler's answer, when the job succeeded or this invocation did nothing
     */
    JsonNode deliver(FaultyAws aws, RequestStreamHandler handler) throws Exception {
        String delivered = jobId;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            handler.handleRequest(new ByteArrayInputStream(event()), out, new LocalContext(function, 60_000));
        } catch (Exception | Error e) {
            if (!results(aws, delivered).isEmpty()) {
                // The job failed in the pipeline before the invocation did: the stage is retried.
                nextJob(null);
            }
            throw e;
        }
        JsonNode report = JSON.readTree(out.toByteArray());
        String outcome = report.path("outcome").asText();
        switch (outcome) {
            case "FAILED" -> {
                nextJob(null);
                throw new ActionNotDone(reason(report, "pipeline job " + delivered + " failed, " + report.path("failureType").asText()));
            }
            case "CONTINUED" -> {
                if (continuationJobEvent == null) {
                    throw new AssertionError("pipeline job " + delivered + " continued, which this action never does: " + report);
                }
                nextJob(tokenPut(aws, delivered));
                throw new ActionNotDone(reason(report, "pipeline job " + delivered + " continued"));
            }
            default -> {
                return report;
            }
        }
    }

    /**
     * The job's message as the pipeline shows it, which must say what went wrong by itself; blank when there is none.
     * A pointer to the log is how a defect of Gantry is answered: for a service that failed it says nothing, so it counts
     * as no reason.
     */
    private static String reason(JsonNode report, String job) {
        String message = report.path("message").asText("");
        return message.isBlank() || message.startsWith("Gantry failed unexpectedly") ? "" : message + " (" + job + ")";
    }

    /** What is missing from the run's end: one result per job, and a success without a token for the last. */
    List<String> missing(FaultyAws aws) {
        List<String> missing = new ArrayList<>();
        Map<String, Integer> resultsByJob = new LinkedHashMap<>();
        for (Put put : puts(aws)) {
            resultsByJob.merge(put.jobId(), 1, Integer::sum);
        }
        resultsByJob.forEach((job, results) -> {
            if (results > 1) {
                missing.add("pipeline job " + job + " got " + results + " results, not one");
            }
        });
        List<Put> last = results(aws, jobId);
        if (last.size() != 1 || !last.get(0).operation().equals(PUT_SUCCESS) || last.get(0).body().hasNonNull("continuationToken")) {
            missing.add("the run's last job " + jobId + " did not end in one success without a continuation token: " + last);
        }
        return missing;
    }

    /** The job sent next: a continuation job carrying {@code token}, or without one, the first job of the stage run again. */
    private void nextJob(String token) {
        jobs++;
        jobId = sampleJobId.substring(0, sampleJobId.lastIndexOf('-') + 1) + "%012d".formatted(jobs);
        continuationToken = token;
    }

    private byte[] event() throws IOException {
        ObjectNode event = (ObjectNode) read(continuationToken == null ? firstJobEvent : continuationJobEvent);
        ObjectNode job = (ObjectNode) event.get("CodePipeline.job");
        job.put("id", jobId);
        if (continuationToken != null) {
            ((ObjectNode) job.get("data")).put("continuationToken", continuationToken);
        }
        return JSON.writeValueAsBytes(event);
    }

    private static String tokenPut(FaultyAws aws, String job) {
        return results(aws, job).stream()
                .map(Put::body)
                .filter(body -> body.hasNonNull("continuationToken"))
                .map(body -> body.get("continuationToken").asText())
                .findFirst()
                .orElseThrow(() -> new AssertionError("pipeline job " + job + " continued without a continuation token on the wire"));
    }

    private static List<Put> results(FaultyAws aws, String job) {
        return puts(aws).stream().filter(put -> put.jobId().equals(job)).toList();
    }

    /** Every job result CodePipeline took, in order: the calls it answered with success, as {@link FaultyAws#succeeded} counts them. */
    private static List<Put> puts(FaultyAws aws) {
        List<Put> puts = new ArrayList<>();
        for (ServeEvent event : aws.journal()) {
            Operation called = Operation.of(event.getRequest());
            if (!called.service().startsWith("CodePipeline_") || !(called.name().equals(PUT_SUCCESS) || called.name().equals(PUT_FAILURE))) {
                continue;
            }
            if (!FaultyAws.answeredWithSuccess(event)) {
                continue;
            }
            try {
                JsonNode body = JSON.readTree(event.getRequest().getBodyAsString());
                puts.add(new Put(called.name(), body.path("jobId").asText(), body));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return puts;
    }

    /** One job result as CodePipeline took it. */
    record Put(String operation, String jobId, JsonNode body) {}

    private static JsonNode read(String eventFile) {
        try {
            return JSON.readTree(Files.readAllBytes(Path.of("../events", eventFile)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** CodePipeline stubs that take every result, as it does for a job waiting for one. */
    static void stubJobResults(FaultyAws aws) {
        aws.server.stubFor(JsonProtocolWire.CODEPIPELINE.operation(PUT_SUCCESS).willReturn(JsonProtocolWire.json("{}")));
        aws.server.stubFor(JsonProtocolWire.CODEPIPELINE.operation(PUT_FAILURE).willReturn(JsonProtocolWire.json("{}")));
    }

    /**
     * The build's artifact in S3 at {@code key}, naming payments-api by the tag 1.4.0, and ECR resolving that tag to the
     * digest {@code events/gantry-ecr-push-payments-api-1.4.0.json} pushed.
     */
    static void stubArtifactNamingTheTag(FaultyAws aws, String key) {
        aws.server.stubFor(S3Wire.getObject(ARTIFACT_BUCKET, key)
                .willReturn(S3Wire.object(PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG))));
        aws.server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages")
                .withRequestBody(WireMock.matchingJsonPath("$.imageIds[0].imageTag", WireMock.equalTo("1.4.0")))
                .willReturn(JsonProtocolWire.json("""
                        {"imageDetails":[{"registryId":"111111111111","repositoryName":"payments-api","imageDigest":"%s",
                          "imageTags":["1.4.0"]}]}""".formatted(EcsDeployFaultsIT.DIGEST))));
    }

    /** The job ended and the action with it is not done: the job failed in the pipeline, or continued. */
    static final class ActionNotDone extends Exception {
        ActionNotDone(String message) {
            super(message);
        }
    }
}
