package dev.gantry.aws.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.UnreadableJobException;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class CodePipelineJobEventTest {

    @Test
    void readsTheLambdaDeveloperGuidesSampleJob() throws Exception {
        PipelineJob job = parseFile("codepipeline-job-lambda-invoke.lambda-dev-guide.json");

        assertThat(job.id()).isEqualTo("c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6");
        assertThat(job.accountId()).isEqualTo("123456789012");
        assertThat(job.userParameters()).isEqualTo("{\"KEY\": \"VALUE\"}");
        assertThat(job.inputArtifacts()).containsExactly(
                new ArtifactLocation("my-pipeline-SourceArtifact", "us-west-2-123456789012-my-pipeline", "my-pipeline/test-api-2/TdOSFRV"));
        assertThat(job.access()).isEqualTo(new ArtifactAccess("AKIAIOSFODNN7EXAMPLE", "6CGtmAa3lzWtV7a...", "IQoJb3JpZ2luX2VjEA..."));
        assertThat(job.continuationToken()).as("the first job of an action run carries no token").isNull();
        assertThat(job.pipelineExecutionId()).as("the published sample names no pipeline execution").isNull();
    }

    @Test
    void readsThePipelineExecutionTheJobBelongsTo() throws Exception {
        PipelineJob job = parseFile("gantry-codepipeline-job-payments-api-prod-gate-pipeline-context.json");

        assertThat(job.pipelineExecutionId()).isEqualTo("3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f");
        assertThat(job.id()).isEqualTo("f3a09764-e31a-xmpl-c016-1b11a19be9c9");
    }

    @Test
    void takesAPipelineExecutionIdOfAnotherShapeForAnUnknownExecution() {
        PipelineJob job = parse(Fixtures.eventText("gantry-codepipeline-job-payments-api-prod-gate-pipeline-context.json")
                .replace("3137f7cb-7cf7-4b2c-9d1e-0a1b2c3d4e5f", "not an execution id"));

        assertThat(job.pipelineExecutionId()).isNull();
    }

    @Test
    void readsTheActionReferencesSampleJobWithItsPlainUserParameters() throws Exception {
        PipelineJob job = parseFile("codepipeline-job-lambda-invoke.action-reference.json");

        assertThat(job.id()).isEqualTo("11111111-abcd-1111-abcd-111111abcdef");
        assertThat(job.userParameters()).isEqualTo("input_parameter");
        assertThat(job.inputArtifacts()).containsExactly(new ArtifactLocation("ArtifactName", "bucket_name", "filename"));
        assertThat(job.continuationToken()).isEqualTo("token_ID");
    }

    @Test
    void readsGantrysDerivedJobForPaymentsApiStaging() throws Exception {
        PipelineJob job = parseFile("gantry-codepipeline-job-payments-api-staging.json");

        assertThat(job.userParameters()).isEqualTo("{\"service\":\"payments-api\",\"environment\":\"staging\"}");
        assertThat(job.inputArtifacts()).singleElement().satisfies(artifact -> {
            assertThat(artifact.bucket()).isEqualTo("eu-west-1-111111111111-payments-api");
            assertThat(artifact.key()).isEqualTo("payments-api/BuildArtif/Gx7mPq2");
        });
    }

    @Test
    void passesAJobWithoutUserParametersOrInputArtifactsOnForThePipelineToBeTold() {
        PipelineJob job = parse("""
                {"CodePipeline.job":{"id":"job-1","accountId":"111111111111","data":{
                  "actionConfiguration":{"configuration":{"FunctionName":"pipeline-deploy"}},
                  "artifactCredentials":{"accessKeyId":"AKIAIOSFODNN7EXAMPLE","secretAccessKey":"example-secret","sessionToken":"example-token"}}}}""");

        assertThat(job.userParameters()).isNull();
        assertThat(job.inputArtifacts()).isEmpty();
    }

    @Test
    void rejectsAnEventThatIsNotACodePipelineJob() throws Exception {
        assertThatThrownBy(() -> parseFile("ecr-image-action-push-success.json"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("expected a CodePipeline job event: 'CodePipeline.job' is missing");
    }

    @Test
    void rejectsAJobWithoutIdNamingTheField() {
        assertThatThrownBy(() -> parse(Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json")
                .replace("\"id\": \"c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6\",", "")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("CodePipeline.job.id: missing");
    }

    @Test
    void rejectsAJobIdThatNoCodePipelineJobHas() {
        String sample = Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json");
        String tooLong = "c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6".repeat(2);

        assertThatThrownBy(() -> parse(sample.replace("c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6", tooLong)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("CodePipeline.job.id: not a CodePipeline job id");
        assertThatThrownBy(() -> parse(sample.replace("c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6", "c0d76431/../x")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("CodePipeline.job.id: not a CodePipeline job id");
    }

    @Test
    void rejectsAJobWithoutItsSessionTokenWithoutRepeatingTheOtherCredentials() {
        assertThatThrownBy(() -> parse(Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json")
                .replace("\"sessionToken\": \"IQoJb3JpZ2luX2VjEA...\",", "")))
                .isInstanceOfSatisfying(UnreadableJobException.class, unreadable ->
                        assertThat(unreadable.jobId()).as("the pipeline can be told").isEqualTo("c0d76431-b0e7-xmpl-97e3-e8ee786eb6f6"))
                .hasMessage("CodePipeline.job.data.artifactCredentials.sessionToken: missing");
    }

    @Test
    void saysWhereAJobIsNotJsonWithoutQuotingTheCredentialJacksonTrippedOver() {
        String unquoted = Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json")
                .replace("\"secretAccessKey\": \"6CGtmAa3lzWtV7a...\"", "\"secretAccessKey\": fakeSecretKeyNotQuoted");

        Throwable failure = catchThrowable(() -> parse(unquoted));

        assertThat(failure).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("CodePipeline.job.data.artifactCredentials").hasMessageContaining(": not valid JSON (line ")
                .hasNoCause();
        assertThat(stackTraceOf(failure)).doesNotContain("fakeSecretKeyNotQuoted");
    }

    @Test
    void saysWhereAnEventCutShortEnds() {
        String cut = Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json");

        assertThatThrownBy(() -> parse(cut.substring(0, cut.indexOf("6CGtmAa3lzWtV7a") + 4)))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("not valid JSON (line ").hasNoCause()
                .message().doesNotContain("6CGt");
    }

    @Test
    void namesAMisshapenCredentialFieldWithoutQuotingItsValue() {
        String asText = Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json")
                .replaceAll("(?s)\"artifactCredentials\": \\{.*?\\}", "\"artifactCredentials\": \"fake-secret-key-as-text\"");

        Throwable failure = catchThrowable(() -> parse(asText));

        assertThat(failure).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("CodePipeline.job.data.artifactCredentials: wrong type or shape").hasNoCause();
        assertThat(stackTraceOf(failure)).doesNotContain("fake-secret-key-as-text");
    }

    @Test
    void rejectsAMistypedFieldNamingIt() {
        assertThatThrownBy(() -> parse("{\"CodePipeline.job\":{\"id\":\"job-1\",\"data\":{\"inputArtifacts\":\"BuildArtifact\"}}}"))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("CodePipeline.job.data.inputArtifacts: wrong type or shape");
    }

    @Test
    void rejectsAnInputArtifactOutsideS3() {
        assertThatThrownBy(() -> parse(Fixtures.eventText("codepipeline-job-lambda-invoke.lambda-dev-guide.json")
                .replace("\"type\": \"S3\",\n                        \"s3Location\"", "\"type\": \"GitHub\",\n                        \"s3Location\"")))
                .isInstanceOf(MalformedEventException.class)
                .hasMessage("CodePipeline.job.data.inputArtifacts[0].location: expected an S3 location, got type 'GitHub'");
    }

    @Test
    void keepsTheCredentialsOutOfThePrintedJob() throws Exception {
        PipelineJob job = parseFile("gantry-codepipeline-job-payments-api-staging.json");

        assertThat(job.toString()).doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("6CGtmAa3lzWtV7a").doesNotContain("IQoJb3JpZ2luX2VjEA");
    }

    private static PipelineJob parseFile(String name) throws Exception {
        try (InputStream in = Files.newInputStream(Fixtures.event(name))) {
            return CodePipelineJobEvent.parse(in);
        }
    }

    private static PipelineJob parse(String json) {
        return CodePipelineJobEvent.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String stackTraceOf(Throwable failure) {
        java.io.StringWriter trace = new java.io.StringWriter();
        failure.printStackTrace(new java.io.PrintWriter(trace));
        return trace.toString();
    }
}
