package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.notContaining;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.EcsGateway.EcsGatewayException;
import dev.gantry.core.deploy.EcsGateway.EcsTargetNotFoundException;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.TaskDefinitionSnapshot;
import dev.gantry.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;

class SdkEcsGatewayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EcsServiceRef SERVICE = new EcsServiceRef("111111111111", "eu-west-1", "staging", "hello");
    private static final String SOURCE_ARN = "arn:aws:ecs:us-east-1:<aws_account_id>:task-definition/hello_world:8";
    private static final String PINNED = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/wordpress@sha256:"
            + "07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";

    private static WireMockServer server;
    private static EcsClient client;
    private SdkEcsGateway gateway;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = EcsWire.client(server);
    }

    @AfterAll
    static void stopServer() {
        client.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        gateway = new SdkEcsGateway(client);
    }

    /** The botocore DescribeTaskDefinition example as ECS answers it, plus the describe-only fields ECS adds. */
    private static String describedTaskDefinition() throws Exception {
        ObjectNode output = (ObjectNode) JSON.readTree(Fixtures.eventText("ecs-describe-task-definition-output.botocore-example.json")).get("output");
        ObjectNode td = (ObjectNode) output.get("taskDefinition");
        td.put("status", "ACTIVE");
        td.putArray("compatibilities").add("EC2");
        td.putArray("requiresAttributes").addObject().put("name", "com.amazonaws.ecs.capability.docker-remote-api.1.17");
        td.put("registeredAt", 1.7e9);
        td.put("registeredBy", "arn:aws:iam::111111111111:role/deployer");
        output.putArray("tags").addObject().put("key", "team").put("value", "payments");
        return JSON.writeValueAsString(output);
    }

    @Test
    void readsThePrimaryDeploymentsTaskDefinition() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"hello","status":"ACTIVE",
                  "taskDefinition":"arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:7",
                  "deployments":[
                    {"status":"ACTIVE","taskDefinition":"arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:7"},
                    {"status":"PRIMARY","taskDefinition":"arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:8"}]}],
                 "failures":[]}""")));

        String arn = gateway.currentTaskDefinitionArn(SERVICE);

        assertThat(arn).endsWith("task-definition/hello:8");
        JsonNode request = EcsWire.requests(server, "DescribeServices").get(0);
        assertThat(request.get("cluster").asText()).isEqualTo("staging");
        assertThat(request.get("services").get(0).asText()).isEqualTo("hello");
    }

    @Test
    void registersACopyPinnedToTheDigestWithNoDescribeOnlyField() throws Exception {
        server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json(describedTaskDefinition())));
        server.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:111111111111:task-definition/hello_world:9\"}}")));

        TaskDefinitionSnapshot before = gateway.describeTaskDefinition(SERVICE, SOURCE_ARN);
        String arn = gateway.registerRevision(SERVICE, SOURCE_ARN, Map.of("wordpress", PINNED));

        assertThat(arn).endsWith("hello_world:9");
        assertThat(before.containers()).containsExactly(new ContainerImage("wordpress", "wordpress"), new ContainerImage("mysql", "mysql"));
        JsonNode sent = EcsWire.requests(server, "RegisterTaskDefinition").get(0);
        assertThat(sent.get("family").asText()).isEqualTo("hello_world");
        assertThat(sent.get("containerDefinitions").get(0).get("image").asText()).isEqualTo(PINNED);
        assertThat(sent.get("tags").get(0).get("key").asText()).isEqualTo("team");
        for (String describeOnly : new String[] {"taskDefinitionArn", "revision", "status", "compatibilities", "requiresAttributes",
                "registeredAt", "registeredBy", "deregisteredAt"}) {
            assertThat(sent.has(describeOnly)).as(describeOnly + " sent to RegisterTaskDefinition").isFalse();
        }
        // Describe was answered from the cache: revisions never change, so one call is enough.
        assertThat(EcsWire.requests(server, "DescribeTaskDefinition")).hasSize(1);
        assertThat(EcsWire.requests(server, "DescribeTaskDefinition").get(0).get("include").get(0).asText()).isEqualTo("TAGS");
    }

    @Test
    void leavesEveryOtherContainerByteForByte() throws Exception {
        server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json(describedTaskDefinition())));
        server.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"arn:aws:ecs:us-east-1:111111111111:task-definition/hello_world:9\"}}")));

        gateway.registerRevision(SERVICE, SOURCE_ARN, Map.of("wordpress", PINNED));

        JsonNode described = JSON.readTree(Fixtures.eventText("ecs-describe-task-definition-output.botocore-example.json"))
                .get("output").get("taskDefinition");
        JsonNode sent = EcsWire.requests(server, "RegisterTaskDefinition").get(0);
        assertThat(sent.get("containerDefinitions").get(1)).isEqualTo(described.get("containerDefinitions").get(1));
        ObjectNode wordpressWithoutImage = ((ObjectNode) sent.get("containerDefinitions").get(0).deepCopy());
        wordpressWithoutImage.remove("image");
        ObjectNode expected = ((ObjectNode) described.get("containerDefinitions").get(0).deepCopy());
        expected.remove("image");
        assertThat(wordpressWithoutImage).isEqualTo(expected);
    }

    @Test
    void updatesTheServiceToTheNewRevision() {
        server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json("{\"service\":{\"serviceName\":\"hello\"}}")));

        gateway.updateService(SERVICE, "arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:9");

        JsonNode sent = EcsWire.requests(server, "UpdateService").get(0);
        assertThat(sent.get("cluster").asText()).isEqualTo("staging");
        assertThat(sent.get("service").asText()).isEqualTo("hello");
        assertThat(sent.get("taskDefinition").asText()).endsWith("hello:9");
    }

    @Test
    void reportsAMissingServiceAsNotFound() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[],\"failures\":[{\"arn\":\"arn:aws:ecs:eu-west-1:111111111111:service/staging/hello\",\"reason\":\"MISSING\"}]}")));

        assertThatThrownBy(() -> gateway.currentTaskDefinitionArn(SERVICE))
                .isInstanceOf(EcsTargetNotFoundException.class)
                .hasMessageContaining("staging/hello").hasMessageContaining("MISSING");
    }

    @Test
    void reportsAnInactiveServiceAsNotFound() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[{\"serviceName\":\"hello\",\"status\":\"DRAINING\",\"deployments\":[]}],\"failures\":[]}")));

        assertThatThrownBy(() -> gateway.currentTaskDefinitionArn(SERVICE))
                .isInstanceOf(EcsTargetNotFoundException.class).hasMessageContaining("DRAINING");
    }

    @Test
    void translatesServiceAndClusterErrorsWithoutRetrying() {
        server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.error("ServiceNotFoundException", "Service not found.")));

        assertThatThrownBy(() -> gateway.updateService(SERVICE, "arn:td:1"))
                .isInstanceOf(EcsTargetNotFoundException.class).hasMessageContaining("staging/hello");
        assertThat(EcsWire.requests(server, "UpdateService")).hasSize(1);

        server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.error("ClusterNotFoundException", "Cluster not found.")));
        assertThatThrownBy(() -> gateway.updateService(SERVICE, "arn:td:1"))
                .isInstanceOf(EcsTargetNotFoundException.class).hasMessageContaining("cluster staging");
    }

    @Test
    void retriesThrottlingThenSucceeds() {
        server.stubFor(EcsWire.operation("UpdateService").inScenario("throttle").whenScenarioStateIs(STARTED)
                .willReturn(EcsWire.error("ThrottlingException", "Rate exceeded")).willSetStateTo("calm"));
        server.stubFor(EcsWire.operation("UpdateService").inScenario("throttle").whenScenarioStateIs("calm")
                .willReturn(EcsWire.json("{\"service\":{}}")));

        gateway.updateService(SERVICE, "arn:td:1");

        assertThat(EcsWire.requests(server, "UpdateService")).hasSize(2);
    }

    @Test
    void namesTheOperationWhenEcsRefusesARequest() {
        server.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.error("ClientException", "Invalid 'memory' setting")));
        server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"family\":\"f\",\"revision\":1,\"taskDefinitionArn\":\"arn:td:f:1\",\"containerDefinitions\":[]}}")));

        assertThatThrownBy(() -> gateway.registerRevision(SERVICE, "arn:td:f:1", Map.of()))
                .isInstanceOf(EcsGatewayException.class)
                .hasMessageContaining("RegisterTaskDefinition").hasMessageContaining("Invalid 'memory' setting");
    }

    @Test
    void listsTheFamilysActiveRevisionsNewestFirstAcrossPagesAndNoOtherFamily() {
        String td = "arn:aws:ecs:eu-west-1:111111111111:task-definition/";
        // Sorted descending by family, then revision: a longer family the prefix also matches comes first.
        server.stubFor(EcsWire.operation("ListTaskDefinitions").withRequestBody(notContaining("nextToken")).willReturn(EcsWire.json(
                "{\"taskDefinitionArns\":[\"" + td + "hello-worker:3\",\"" + td + "hello:12\",\"" + td + "hello:11\"],"
                        + "\"nextToken\":\"page-2\"}")));
        server.stubFor(EcsWire.operation("ListTaskDefinitions").withRequestBody(matchingJsonPath("$.nextToken", equalTo("page-2")))
                .willReturn(EcsWire.json("{\"taskDefinitionArns\":[\"" + td + "hello:10\"]}")));

        List<String> revisions = gateway.revisionsOf(SERVICE, "hello");

        assertThat(revisions).containsExactly(td + "hello:12", td + "hello:11", td + "hello:10");
        List<JsonNode> sent = EcsWire.requests(server, "ListTaskDefinitions");
        assertThat(sent).hasSize(2);
        for (JsonNode request : sent) {
            assertThat(request.get("familyPrefix").asText()).isEqualTo("hello");
            assertThat(request.get("status").asText()).isEqualTo("ACTIVE");
            assertThat(request.get("sort").asText()).isEqualTo("DESC");
        }
        assertThat(sent.get(0).has("nextToken")).isFalse();
        assertThat(sent.get(1).get("nextToken").asText()).isEqualTo("page-2");
    }

    @Test
    void collectsTheRevisionsOfPrimaryAndActiveDeploymentsPerCluster() {
        String td = "arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:";
        server.stubFor(EcsWire.operation("DescribeServices").withRequestBody(matchingJsonPath("$.cluster", equalTo("staging")))
                .willReturn(EcsWire.json("""
                        {"services":[{"serviceName":"hello","status":"ACTIVE","taskDefinition":"%1$s9",
                          "deployments":[
                            {"status":"PRIMARY","taskDefinition":"%1$s9"},
                            {"status":"ACTIVE","taskDefinition":"%1$s8"},
                            {"status":"INACTIVE","taskDefinition":"%1$s7"}]}],
                         "failures":[{"arn":"arn:aws:ecs:eu-west-1:111111111111:service/staging/gone","reason":"MISSING"}]}"""
                        .formatted(td))));
        server.stubFor(EcsWire.operation("DescribeServices").withRequestBody(matchingJsonPath("$.cluster", equalTo("prod")))
                .willReturn(EcsWire.json("""
                        {"services":[{"serviceName":"hello","status":"ACTIVE","taskDefinition":"%1$s5","deployments":[],
                          "taskSets":[{"status":"PRIMARY","taskDefinition":"%1$s5"},{"status":"ACTIVE","taskDefinition":"%1$s4"},
                                      {"status":"DRAINING","taskDefinition":"%1$s3"}]}],
                         "failures":[]}""".formatted(td))));
        List<EcsServiceRef> services = List.of(
                SERVICE,
                new EcsServiceRef("111111111111", "eu-west-1", "staging", "gone"),
                new EcsServiceRef("111111111111", "eu-west-1", "prod", "hello"),
                new EcsServiceRef("222222222222", "eu-west-1", "staging", "hello"),
                new EcsServiceRef("111111111111", "us-east-1", "staging", "hello"));

        var inUse = gateway.taskDefinitionsInUse(SERVICE, services);

        assertThat(inUse).containsExactlyInAnyOrder(td + "9", td + "8", td + "5", td + "4");
        List<JsonNode> sent = EcsWire.requests(server, "DescribeServices");
        assertThat(sent).as("one call per cluster; services in another account or region are not asked for").hasSize(2);
        assertThat(sent.get(0).get("cluster").asText()).isEqualTo("staging");
        assertThat(sent.get(0).get("services")).extracting(JsonNode::asText).containsExactly("hello", "gone");
        assertThat(sent.get(1).get("cluster").asText()).isEqualTo("prod");
        assertThat(sent.get(1).get("services")).extracting(JsonNode::asText).containsExactly("hello");
    }

    @Test
    void describesAtMostTenServicesPerCall() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("{\"services\":[],\"failures\":[]}")));
        List<EcsServiceRef> services = IntStream.rangeClosed(1, 12)
                .mapToObj(i -> new EcsServiceRef("111111111111", "eu-west-1", "staging", "service-" + i))
                .toList();

        gateway.taskDefinitionsInUse(SERVICE, services);

        List<JsonNode> sent = EcsWire.requests(server, "DescribeServices");
        assertThat(sent).extracting(r -> r.get("services").size()).containsExactly(10, 2);
    }

    @Test
    void refusesToAnswerWhatIsInUseWhenAServiceCouldNotBeDescribed() {
        server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json(
                "{\"services\":[],\"failures\":[{\"arn\":\"arn:aws:ecs:eu-west-1:111111111111:service/staging/hello\","
                        + "\"reason\":\"ACCESS_DENIED\",\"detail\":\"not authorized\"}]}")));

        assertThatThrownBy(() -> gateway.taskDefinitionsInUse(SERVICE, List.of(SERVICE)))
                .isInstanceOf(EcsGatewayException.class)
                .hasMessageContaining("ACCESS_DENIED").hasMessageContaining("staging/hello");
    }

    @Test
    void deregistersOneRevisionByItsArn() {
        String arn = "arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:3";
        server.stubFor(EcsWire.operation("DeregisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + arn + "\",\"status\":\"INACTIVE\"}}")));

        gateway.deregister(SERVICE, arn);

        List<JsonNode> sent = EcsWire.requests(server, "DeregisterTaskDefinition");
        assertThat(sent).singleElement().satisfies(r -> {
            assertThat(r.get("taskDefinition").asText()).isEqualTo(arn);
            assertThat(r.size()).isEqualTo(1);
        });
    }

    @Test
    void namesTheOperationWhenEcsRefusesADeregistration() {
        server.stubFor(EcsWire.operation("DeregisterTaskDefinition").willReturn(EcsWire.error("ClientException",
                "The specified task definition does not exist.")));

        assertThatThrownBy(() -> gateway.deregister(SERVICE, "arn:aws:ecs:eu-west-1:111111111111:task-definition/hello:99"))
                .isInstanceOf(EcsGatewayException.class)
                .hasMessageContaining("DeregisterTaskDefinition").hasMessageContaining("does not exist");
    }

    @Test
    void describesARevisionAgainOnceItWasDeregistered() throws Exception {
        server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json(describedTaskDefinition())));
        server.stubFor(EcsWire.operation("DeregisterTaskDefinition").willReturn(EcsWire.json("{\"taskDefinition\":{}}")));

        gateway.describeTaskDefinition(SERVICE, SOURCE_ARN);
        gateway.deregister(SERVICE, SOURCE_ARN);
        gateway.describeTaskDefinition(SERVICE, SOURCE_ARN);

        assertThat(EcsWire.requests(server, "DescribeTaskDefinition")).hasSize(2);
    }
}
