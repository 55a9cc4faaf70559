package dev.gantry.fn.ecsdeploy;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.SdkAlarmStates;
import dev.gantry.aws.SdkChangeCalendars;
import dev.gantry.aws.SdkCustomChecks;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.MutableClock;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ssm.SsmClient;

/**
 * A push held at a gate and the gate sweep that deploys it, as Lambda runs both: the real SDK adapters against
 * loopback ECS and DynamoDB Local, and a test clock that moves past the end of a change freeze.
 */
class GateSweepHandlerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final ReleaseKey PROD_RELEASE = new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
    private static final String PROD_RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:17";
    private static final String PROD_NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:18";
    /** The freeze of {@code gantry-frozen-prod.yml} ends at 2027-01-04T00:00:00Z. */
    private static final String DURING_THE_FREEZE = "2027-01-03T22:00:00Z";
    private static final Instant AFTER_THE_FREEZE = Instant.parse("2027-01-04T00:00:30Z");

    private static LoopbackAws aws;
    private static EcsClient ecsClient;
    private static CloudWatchClient cloudWatchClient;
    private static SsmClient ssmClient;
    private MutableClock clock;
    private DynamoDbGateStore gateRecords;
    private EcsDeployHandler pushes;
    private GateSweepHandler sweep;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
        ecsClient = EcsWire.client(aws.ecs);
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
        cloudWatchClient = CloudWatchClient.builder().endpointOverride(URI.create(aws.ecs.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
        ssmClient = SsmClient.builder().endpointOverride(URI.create(aws.ecs.baseUrl())).region(Region.EU_WEST_1)
                .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.create()).build();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        ecsClient.close();
        cloudWatchClient.close();
        ssmClient.close();
        aws.close();
    }

    @BeforeEach
    void freshStateAndStubs() throws Exception {
        aws.ecs.resetAll();
        aws.stubStagingService();
        stubProdService();
        clock = MutableClock.at(DURING_THE_FREEZE);
        String table = "gantry-" + System.nanoTime();
        StateTable.createIfMissing(aws.dynamo, table);
        GantryConfig config = ConfigLoader.load(Path.of(getClass().getResource("/gantry-frozen-prod.yml").toURI()));
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(aws.dynamo, table);
        gateRecords = new DynamoDbGateStore(aws.dynamo, table);
        GateService gates = new GateService(config, gateRecords, releases, new SdkAlarmStates(cloudWatchClient),
                new SdkChangeCalendars(ssmClient), new SdkCustomChecks(null), ApproverGroups.none(), clock);
        DeployService deploys = new DeployService(config, new SdkEcsGateway(ecsClient), releases,
                new DynamoDbDeployControls(aws.dynamo, table), clock).withGates(gates);
        pushes = new EcsDeployHandler(deploys);
        sweep = new GateSweepHandler(new GateSweepService(gates, deploys));
    }

    @Test
    void holdsAPushToTheFrozenEnvironmentAndTheFirstSweepAfterTheFreezeDeploysItOnce() throws Exception {
        JsonNode pushed = invoke(pushes, "gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(pushed.at("/outcomes/0/environment").asText()).isEqualTo("staging");
        assertThat(pushed.at("/outcomes/0/result").asText()).isEqualTo("DEPLOYED");
        assertThat(pushed.at("/outcomes/1/environment").asText()).isEqualTo("prod");
        assertThat(pushed.at("/outcomes/1/result").asText()).isEqualTo("HELD");
        assertThat(pushed.at("/outcomes/1/reason").asText()).startsWith("held at gate 'production': waiting for freeze: held until 2027-01-04T00:00:00Z")
                .endsWith("Gantry deploys it when the gate passes");
        assertThat(prodRegistrations()).isEmpty();
        assertThat(prodUpdates()).isEmpty();

        clock.advance(Duration.ofMinutes(1));
        JsonNode duringTheFreeze = invoke(sweep, "gantry-scheduled-event-gate-sweep.json");

        assertThat(duringTheFreeze.at("/lines/0/release").asText()).isEqualTo(PROD_RELEASE.id());
        assertThat(duringTheFreeze.at("/lines/0/status").asText()).isEqualTo("WAITING");
        assertThat(prodUpdates()).isEmpty();

        clock.advance(Duration.between(clock.instant(), AFTER_THE_FREEZE));
        JsonNode afterTheFreeze = invoke(sweep, "gantry-scheduled-event-gate-sweep.json");

        assertThat(afterTheFreeze.at("/lines").size()).isEqualTo(1);
        assertThat(afterTheFreeze.at("/lines/0/release").asText()).isEqualTo(PROD_RELEASE.id());
        assertThat(afterTheFreeze.at("/lines/0/status").asText()).isEqualTo("PASSED");
        assertThat(afterTheFreeze.at("/lines/0/what").asText()).contains("DEPLOYED: ");
        assertThat(prodRegistrations()).singleElement()
                .satisfies(register -> assertThat(register.at("/containerDefinitions/0/image").asText())
                        .isEqualTo(LoopbackAws.REGISTRY + "/payments-api@" + DIGEST));
        assertThat(prodUpdates()).singleElement()
                .satisfies(update -> assertThat(update.at("/taskDefinition").asText()).isEqualTo(PROD_NEW_ARN));
        assertThat(gateRecords.find(PROD_RELEASE).orElseThrow().handoff()).startsWith("DEPLOYED");

        clock.advance(Duration.ofMinutes(1));
        JsonNode nextSweep = invoke(sweep, "gantry-scheduled-event-gate-sweep.json");

        assertThat(nextSweep.at("/lines").size()).as(nextSweep.toString()).isZero();
        assertThat(prodRegistrations()).hasSize(1);
        assertThat(prodUpdates()).hasSize(1);
        assertThat(EcsWire.requests(aws.ecs, "UpdateService")).as("staging once at the push, prod once by the sweep").hasSize(2);
    }

    @Test
    void aSweepWithNothingDueAsksNothing() throws Exception {
        JsonNode report = invoke(sweep, "gantry-scheduled-event-gate-sweep.json");

        assertThat(report.at("/lines").isArray()).isTrue();
        assertThat(report.at("/lines").size()).isZero();
        assertThat(aws.ecs.getAllServeEvents()).isEmpty();
    }

    /** The prod service, told apart from LoopbackAws's staging answers by what each request names. */
    private static void stubProdService() {
        aws.ecs.stubFor(EcsWire.operation("DescribeServices").atPriority(1)
                .withRequestBody(matchingJsonPath("$.cluster", equalTo("prod")))
                .willReturn(EcsWire.json("""
                        {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/prod",
                          "status":"ACTIVE","taskDefinition":"%1$s",
                          "deployments":[{"status":"PRIMARY","taskDefinition":"%1$s"}]}],"failures":[]}""".formatted(PROD_RUNNING_ARN))));
        aws.ecs.stubFor(EcsWire.operation("DescribeTaskDefinition").atPriority(1)
                .withRequestBody(matchingJsonPath("$.taskDefinition", equalTo(PROD_RUNNING_ARN)))
                .willReturn(EcsWire.json("""
                        {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-prod","revision":17,"status":"ACTIVE",
                          "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                          "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                          "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"compatibilities":["EC2","FARGATE"],
                          "cpu":"1024","memory":"2048","registeredAt":1.7E9,
                          "containerDefinitions":[
                            {"name":"app","image":"%s/payments-api:1.3.0","essential":true,
                             "portMappings":[{"containerPort":8080,"protocol":"tcp"}],
                             "environment":[{"name":"SPRING_PROFILES_ACTIVE","value":"prod"}]}]},
                         "tags":[{"key":"service","value":"payments-api"}]}""".formatted(PROD_RUNNING_ARN, LoopbackAws.REGISTRY))));
        aws.ecs.stubFor(EcsWire.operation("RegisterTaskDefinition").atPriority(1)
                .withRequestBody(matchingJsonPath("$.family", equalTo("payments-api-prod")))
                .willReturn(EcsWire.json("{\"taskDefinition\":{\"taskDefinitionArn\":\"" + PROD_NEW_ARN + "\",\"revision\":18}}")));
        aws.ecs.stubFor(EcsWire.operation("UpdateService").atPriority(1)
                .withRequestBody(matchingJsonPath("$.cluster", equalTo("prod")))
                .willReturn(EcsWire.json("{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + PROD_NEW_ARN + "\"}}")));
    }

    private static List<JsonNode> prodRegistrations() {
        return EcsWire.requests(aws.ecs, "RegisterTaskDefinition").stream()
                .filter(register -> register.at("/family").asText().equals("payments-api-prod"))
                .toList();
    }

    private static List<JsonNode> prodUpdates() {
        return EcsWire.requests(aws.ecs, "UpdateService").stream()
                .filter(update -> update.at("/cluster").asText().equals("prod"))
                .toList();
    }

    private static JsonNode invoke(RequestStreamHandler handler, String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-test", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
