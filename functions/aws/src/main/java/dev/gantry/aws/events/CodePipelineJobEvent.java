package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.readOrNull;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.PipelineJob;
import dev.gantry.core.pipeline.UnreadableJobException;
import dev.gantry.core.release.MalformedEventException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The event CodePipeline's "AWS Lambda invoke" action sends, read into a {@link PipelineJob}. Unknown
 * fields are ignored; a missing or mistyped field that CodePipeline always sends is rejected naming the
 * field. What the pipeline's author controls ({@code UserParameters}, how many input artifacts) is passed
 * on as given, so that a mistake there fails the job in the pipeline rather than the invocation.
 * Messages never repeat the artifact credentials.
 */
public final class CodePipelineJobEvent {

    static final String JOB = "CodePipeline.job";

    // CodePipeline's job and execution ids are UUIDs. The job id keys the job's ledger record and travels in the gate's
    // continuation token (2,048 characters at most), so an id of any other shape is refused here rather than failing there.
    private static final Pattern JOB_ID = Pattern.compile("[0-9A-Za-z-]{1,64}");

    private CodePipelineJobEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(@JsonProperty(JOB) Job job) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Job(String id, String accountId, Data data) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Data(ActionConfiguration actionConfiguration, List<Artifact> inputArtifacts, Credentials artifactCredentials,
            String continuationToken, PipelineContext pipelineContext) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record PipelineContext(String pipelineExecutionId) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record ActionConfiguration(Map<String, String> configuration) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Artifact(String name, Location location) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Location(String type, S3Location s3Location) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record S3Location(String bucketName, String objectKey) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Credentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        @Override
        public String toString() {
            return "Credentials[redacted]";
        }
    }

    /**
     * As {@link #parse(InputStream)}, handing a job whose id could be read but whose data could not to
     * {@code tellThePipeline} before throwing, so that the pipeline hears why rather than waiting out its timeout.
     */
    public static PipelineJob parse(InputStream json, Consumer<UnreadableJobException> tellThePipeline) {
        try {
            return parse(json);
        } catch (UnreadableJobException e) {
            tellThePipeline.accept(e);
            throw e;
        }
    }

    public static PipelineJob parse(InputStream json) {
        Envelope event = readOrNull(json, Envelope.class);
        if (event == null || event.job() == null) {
            throw new MalformedEventException("expected a CodePipeline job event: '" + JOB + "' is missing");
        }
        Job job = event.job();
        String id = required(job.id(), JOB + ".id");
        if (!JOB_ID.matcher(id).matches()) {
            throw new MalformedEventException(JOB + ".id: not a CodePipeline job id (letters, digits and hyphens, at most 64)");
        }
        try {
            return parseData(id, job);
        } catch (MalformedEventException e) {
            // The id is good, so the pipeline can be told what was wrong with the rest.
            throw new UnreadableJobException(id, e.getMessage());
        }
    }

    private static PipelineJob parseData(String id, Job job) {
        Data data = job.data();
        if (data == null) {
            throw new MalformedEventException(JOB + ".data: missing");
        }
        Credentials credentials = data.artifactCredentials();
        if (credentials == null) {
            throw new MalformedEventException(JOB + ".data.artifactCredentials: missing");
        }
        ArtifactAccess access = new ArtifactAccess(
                required(credentials.accessKeyId(), JOB + ".data.artifactCredentials.accessKeyId"),
                required(credentials.secretAccessKey(), JOB + ".data.artifactCredentials.secretAccessKey"),
                required(credentials.sessionToken(), JOB + ".data.artifactCredentials.sessionToken"));
        Map<String, String> configuration = data.actionConfiguration() == null ? null : data.actionConfiguration().configuration();
        String userParameters = configuration == null ? null : configuration.get("UserParameters");
        String continuationToken = data.continuationToken() == null || data.continuationToken().isBlank() ? null : data.continuationToken();
        return new PipelineJob(id, job.accountId(), userParameters, inputArtifacts(data.inputArtifacts()), access, continuationToken,
                pipelineExecutionId(data.pipelineContext()));
    }

    /**
     * Absent from AWS's published sample jobs, so optional: a job without it, or with one of another shape than CodePipeline's
     * ids, is carried out as a job of an unknown execution rather than failed.
     */
    private static String pipelineExecutionId(PipelineContext context) {
        if (context == null || context.pipelineExecutionId() == null || !JOB_ID.matcher(context.pipelineExecutionId()).matches()) {
            return null;
        }
        return context.pipelineExecutionId();
    }

    private static List<ArtifactLocation> inputArtifacts(List<Artifact> artifacts) {
        List<ArtifactLocation> locations = new ArrayList<>();
        if (artifacts == null) {
            return locations;
        }
        for (int i = 0; i < artifacts.size(); i++) {
            String field = JOB + ".data.inputArtifacts[" + i + "]";
            Artifact artifact = artifacts.get(i);
            if (artifact == null || artifact.location() == null) {
                throw new MalformedEventException(field + ".location: missing");
            }
            Location location = artifact.location();
            if (!"S3".equals(location.type()) || location.s3Location() == null) {
                throw new MalformedEventException(field + ".location: expected an S3 location, got type '" + location.type() + "'");
            }
            locations.add(new ArtifactLocation(
                    required(artifact.name(), field + ".name"),
                    required(location.s3Location().bucketName(), field + ".location.s3Location.bucketName"),
                    required(location.s3Location().objectKey(), field + ".location.s3Location.objectKey")));
        }
        return locations;
    }
}
