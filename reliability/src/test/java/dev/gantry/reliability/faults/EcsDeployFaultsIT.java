package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.fn.ecsdeploy.HandlersFromEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The deploy of a pushed image with every call it makes failing in turn: ECS's reads, the registration, the service
 * update, the cleanup, and every DynamoDB call of the release record and the environment's lock.
 */
class EcsDeployFaultsIT {

    static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    static final String RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:41";
    static final String NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42";
    /** The digest {@code events/gantry-ecr-push-payments-api-1.4.0.json} pushes. */
    static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    static final ReleaseKey STAGING_RELEASE = new ReleaseKey("payments-api", "staging", new ImageDigest(DIGEST));

    private static FaultyAws aws;

    @BeforeAll
    static void start() throws Exception {
        aws = new FaultyAws();
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void aPushedImageIsDeployedOnceOrFailsWithAReasonAndIsFinishedOnRedelivery() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);

        campaign.run(new PushDeploy());

        assertThat(campaign.record()).isEmpty();
    }

    /** The staging service of payments-api, running 1.3.0, as ECS describes it. */
    static void stubStagingService(FaultyAws aws) {
        aws.server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                  "status":"ACTIVE","taskDefinition":"%s",
                  "deployments":[{"status":"PRIMARY","taskDefinition":"%s"}]}],"failures":[]}""".formatted(RUNNING_ARN, RUNNING_ARN))));
        aws.server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-staging","revision":41,"status":"ACTIVE",
                  "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                  "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512","memory":"1024",
                  "containerDefinitions":[{"name":"app","image":"%s/payments-api:1.3.0","essential":true}]},
                 "tags":[{"key":"service","value":"payments-api"}]}""".formatted(RUNNING_ARN, REGISTRY))));
        aws.server.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + NEW_ARN + "\",\"revision\":42}}")));
        aws.server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json(
                "{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + NEW_ARN + "\"}}")));
        aws.server.stubFor(EcsWire.operation("ListTaskDefinitions").willReturn(EcsWire.json(
                "{\"taskDefinitionArns\":[\"" + RUNNING_ARN.replace(":41", ":38") + "\",\"" + RUNNING_ARN + "\",\"" + NEW_ARN + "\"]}")));
        aws.server.stubFor(EcsWire.operation("DeregisterTaskDefinition").willReturn(EcsWire.json("{\"taskDefinition\":{}}")));
    }

    /** What is missing from the push's staging release being recorded with its service updated. */
    static List<String> missingFromStagingRelease(FaultyAws aws, Map<String, String> environment) {
        var release = new DynamoDbReleaseStore(aws.dynamo, environment.get("GANTRY_TABLE")).find(STAGING_RELEASE);
        if (release.isEmpty() || release.get().status() != ReleaseStatus.SERVICE_UPDATED) {
            return List.of("the staging release is " + release.map(r -> r.status().toString()).orElse("not recorded") + ", not SERVICE_UPDATED");
        }
        return List.of();
    }

    /** What is missing from the push being deployed to staging: the release recorded, and the service updated. */
    static List<String> missingFromStagingDeploy(FaultyAws aws, Map<String, String> environment) {
        List<String> missing = new ArrayList<>(missingFromStagingRelease(aws, environment));
        if (aws.succeeded("UpdateService") == 0) {
            missing.add("the staging service was never updated");
        }
        return missing;
    }

    static String invoke(Object handler, String eventFile, String function) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Path.of("../events", eventFile))) {
            ((com.amazonaws.services.lambda.runtime.RequestStreamHandler) handler).handleRequest(in, out, new LocalContext(function, 60_000));
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static final class PushDeploy implements FaultScenario {

        @Override
        public String name() {
            return "ecs-deploy: payments-api 1.4.0 pushed";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubStagingService(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            EcsDeployFaultsIT.invoke(HandlersFromEnvironment.ecsDeploy(environment), "gantry-ecr-push-payments-api-1.4.0.json", "gantry-ecs-deploy");
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            return missingFromStagingDeploy(aws, environment);
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("RegisterTaskDefinition", "UpdateService");
        }

        @Override
        public boolean survivesFailureOf(Operation operation) {
            return operation.name().equals("ListTaskDefinitions") || operation.name().equals("DeregisterTaskDefinition");
        }
    }
}
