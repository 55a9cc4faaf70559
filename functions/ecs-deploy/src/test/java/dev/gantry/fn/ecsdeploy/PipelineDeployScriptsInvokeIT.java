package dev.gantry.fn.ecsdeploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.S3Wire;
import dev.gantry.aws.StateTable;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import dev.gantry.testing.PipelineArtifacts;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke pipeline-deploy} as a user runs it: the packaged jar, in a fresh JVM, reads the job's artifact from
 * S3 with the job's credentials, resolves its tag in ECR, deploys, and puts the result to CodePipeline.
 */
class PipelineDeployScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String BUCKET = "eu-west-1-111111111111-payments-api";
    private static final String STAGING_KEY = "payments-api/BuildArtif/Gx7mPq2";
    private static LoopbackAws aws;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @Test
    void deploysTheImageOfTheJobsArtifactAndPutsTheSuccess() throws Exception {
        aws.stubPipelineJobResults();
        aws.stubPipelineArtifact(BUCKET, STAGING_KEY, PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG));
        aws.stubEcrTag("payments-api", "1.4.0", DIGEST);
        String table = "gantry-" + System.nanoTime();
        StateTable.createIfMissing(aws.dynamo, table);

        Result result = InvokeScript.run(environment(table), "pipeline-deploy", "events/gantry-codepipeline-job-payments-api-staging.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode answer = JSON.readTree(result.stdout());
        assertThat(answer.at("/outcome").asText()).as(result.stdout()).isEqualTo("SUCCEEDED");
        // The job's own artifact credentials (the AWS Lambda Developer Guide's obviously fake ones), not the function's.
        assertThat(S3Wire.gets(aws.ecs, BUCKET, STAGING_KEY)).singleElement()
                .satisfies(get -> assertThat(get.getHeader("Authorization")).contains("Credential=AKIAIOSFODNN7EXAMPLE/"));
        assertThat(JsonProtocolWire.ECR.requests(aws.ecs, "DescribeImages")).singleElement()
                .satisfies(describe -> assertThat(describe.at("/imageIds/0/imageTag").asText()).isEqualTo("1.4.0"));
        assertThat(EcsWire.requests(aws.ecs, "RegisterTaskDefinition").get(0).at("/containerDefinitions/0/image").asText())
                .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST);
        assertThat(JsonProtocolWire.CODEPIPELINE.requests(aws.ecs, "PutJobSuccessResult")).hasSize(1);
    }

    private static Map<String, String> environment(String table) {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put("GANTRY_TABLE", table);
        env.put("AWS_REGION", "eu-west-1");
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.ecs.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
