package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.PipelineJobs.JobAlreadyCompletedException;
import dev.gantry.core.pipeline.PipelineJobs.PipelineJobsException;
import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;

class SdkPipelineJobsIT {

    private static final JsonProtocolWire CODEPIPELINE = JsonProtocolWire.CODEPIPELINE;
    private static final String JOB_ID = "c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6";

    private static WireMockServer server;
    private static CodePipelineClient client;
    private SdkPipelineJobs jobs;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = CodePipelineClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                // One attempt: the tests count requests on the wire.
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        jobs = new SdkPipelineJobs(client);
    }

    @Test
    void putsASuccessWithTheSummaryOnTheWire() {
        server.stubFor(CODEPIPELINE.operation("PutJobSuccessResult").willReturn(JsonProtocolWire.json("{}")));

        jobs.putSuccess(JOB_ID, "payments-api/staging: deployed payments-api@sha256:07348c117739");

        JsonNode body = CODEPIPELINE.requests(server, "PutJobSuccessResult").get(0);
        assertThat(body.at("/jobId").asText()).isEqualTo(JOB_ID);
        assertThat(body.at("/executionDetails/summary").asText()).isEqualTo("payments-api/staging: deployed payments-api@sha256:07348c117739");
        assertThat(body.has("continuationToken")).isFalse();
    }

    @Test
    void putsAFailureWithItsTypeAndMessageOnTheWire() {
        server.stubFor(CODEPIPELINE.operation("PutJobFailureResult").willReturn(JsonProtocolWire.json("{}")));

        jobs.putFailure(JOB_ID, JobFailureType.CONFIGURATION_ERROR, "environment prod of payments-api is behind gate 'production'");
        jobs.putFailure(JOB_ID, JobFailureType.JOB_FAILED, "no image tagged '1.4.0'");

        var bodies = CODEPIPELINE.requests(server, "PutJobFailureResult");
        assertThat(bodies.get(0).at("/jobId").asText()).isEqualTo(JOB_ID);
        assertThat(bodies.get(0).at("/failureDetails/type").asText()).isEqualTo("ConfigurationError");
        assertThat(bodies.get(0).at("/failureDetails/message").asText()).isEqualTo("environment prod of payments-api is behind gate 'production'");
        assertThat(bodies.get(1).at("/failureDetails/type").asText()).isEqualTo("JobFailed");
    }

    @Test
    void readsInvalidJobStateAsAJobThatAlreadyHasItsResult() {
        server.stubFor(CODEPIPELINE.operation("PutJobSuccessResult").willReturn(JsonProtocolWire.error("InvalidJobStateException",
                "Job c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6 is in state Succeeded")));

        assertThatThrownBy(() -> jobs.putSuccess(JOB_ID, "deployed"))
                .isInstanceOf(JobAlreadyCompletedException.class)
                .hasMessageContaining("is in state Succeeded");
    }

    @Test
    void reportsAnyOtherRefusalAsAFailureToPutNamingTheJob() {
        server.stubFor(CODEPIPELINE.operation("PutJobFailureResult").willReturn(JsonProtocolWire.error("JobNotFoundException",
                "The job was not found")));

        assertThatThrownBy(() -> jobs.putFailure(JOB_ID, JobFailureType.JOB_FAILED, "deploy failed"))
                .isInstanceOf(PipelineJobsException.class)
                .hasMessage("PutJobFailureResult for job " + JOB_ID + " was refused: JobNotFoundException (HTTP 400): The job was not found");
    }

    @Test
    void reportsAnUnreachableServiceAsAFailureToPut() {
        server.stubFor(CODEPIPELINE.operation("PutJobSuccessResult").willReturn(
                com.github.tomakehurst.wiremock.client.WireMock.aResponse().withFault(
                        com.github.tomakehurst.wiremock.http.Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> jobs.putSuccess(JOB_ID, "deployed"))
                .isInstanceOf(PipelineJobsException.class)
                .hasMessageStartingWith("PutJobSuccessResult for job " + JOB_ID + " failed: ");
    }
}
