package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.ServiceRevisions.ContainerImage;
import dev.gantry.core.gate.ServiceRevisions.Revision;
import dev.gantry.core.gate.ServiceRevisions.ServiceRevisionsException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.ecs.EcsClient;

class SdkServiceRevisionsIT {

    private static final String REVISION_ARN = "arn:aws:ecs:eu-central-1:111122223333:service-revision/staging/payments-api/4980306466373577095";
    private static final String SERVICE_ARN = "arn:aws:ecs:eu-central-1:111122223333:service/staging/payments-api";
    private static final String APP_DIGEST = "sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd";
    private static final String PROXY_DIGEST = "sha256:5b2c1a9e0f3d4c7b8a6e9d1f2c3b4a5e6d7c8b9a0f1e2d3c4b5a6978877665544";

    private static WireMockServer server;
    private static EcsClient client;
    private final List<EcsServiceRef> routed = new ArrayList<>();
    private SdkServiceRevisions revisions;

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
        revisions = new SdkServiceRevisions(service -> {
            routed.add(service);
            return client;
        });
    }

    @Test
    void readsTheDigestEcsResolvedForEveryContainer() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"%s",
                  "clusterArn":"arn:aws:ecs:eu-central-1:111122223333:cluster/staging",
                  "taskDefinition":"arn:aws:ecs:eu-central-1:111122223333:task-definition/payments-api-staging:42",
                  "launchType":"FARGATE","platformVersion":"1.4.0","platformFamily":"Linux","guardDutyEnabled":false,
                  "containerImages":[
                    {"containerName":"app","imageDigest":"%s","image":"111122223333.dkr.ecr.eu-central-1.amazonaws.com/payments-api:1.4.0"},
                    {"containerName":"envoy","imageDigest":"%s","image":"111122223333.dkr.ecr.eu-central-1.amazonaws.com/envoy:v1.29.12.0"}],
                  "createdAt":1.7639035E9}],
                 "failures":[]}""".formatted(REVISION_ARN, SERVICE_ARN, APP_DIGEST, PROXY_DIGEST))));

        Revision revision = revisions.describe(REVISION_ARN);

        assertThat(revision).isEqualTo(new Revision(REVISION_ARN, SERVICE_ARN, List.of(
                new ContainerImage("app", "111122223333.dkr.ecr.eu-central-1.amazonaws.com/payments-api:1.4.0", APP_DIGEST),
                new ContainerImage("envoy", "111122223333.dkr.ecr.eu-central-1.amazonaws.com/envoy:v1.29.12.0", PROXY_DIGEST))));
        List<JsonNode> requests = EcsWire.requests(server, "DescribeServiceRevisions");
        assertThat(requests).hasSize(1);
        assertThat(requests.get(0).get("serviceRevisionArns")).hasSize(1);
        assertThat(requests.get(0).at("/serviceRevisionArns/0").asText()).isEqualTo(REVISION_ARN);
    }

    @Test
    void asksTheClientThatReachesTheRevisionsService() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"%s","containerImages":[]}],"failures":[]}"""
                .formatted(REVISION_ARN, SERVICE_ARN))));

        revisions.describe(REVISION_ARN);

        assertThat(routed).containsExactly(new EcsServiceRef("111122223333", "eu-central-1", "staging", "payments-api"));
    }

    @Test
    void keepsAContainerWhoseImageEcsDidNotResolve() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"%s",
                  "containerImages":[{"containerName":"app","image":"payments-api:1.4.0"}]}],"failures":[]}"""
                .formatted(REVISION_ARN, SERVICE_ARN))));

        assertThat(revisions.describe(REVISION_ARN).containers()).containsExactly(new ContainerImage("app", "payments-api:1.4.0", null));
    }

    @Test
    void namesTheRevisionAndEcsReasonWhenItIsMissing() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[],"failures":[{"arn":"%s","reason":"MISSING","detail":"The service revision was not found."}]}"""
                .formatted(REVISION_ARN))));

        assertThatThrownBy(() -> revisions.describe(REVISION_ARN))
                .isInstanceOf(ServiceRevisionsException.class)
                .hasMessageContaining(REVISION_ARN)
                .hasMessageContaining("MISSING: The service revision was not found.");
    }

    @Test
    void saysSoWhenEcsReturnsNeitherTheRevisionNorAFailure() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("{\"serviceRevisions\":[],\"failures\":[]}")));

        assertThatThrownBy(() -> revisions.describe(REVISION_ARN))
                .isInstanceOf(ServiceRevisionsException.class)
                .hasMessageContaining(REVISION_ARN + " not found (ECS returned neither the revision nor a failure)");
    }

    @Test
    void namesTheOperationWhenEcsRefuses() {
        server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.error("AccessDeniedException",
                "User is not authorized to perform: ecs:DescribeServiceRevisions")));

        assertThatThrownBy(() -> revisions.describe(REVISION_ARN))
                .isInstanceOf(ServiceRevisionsException.class)
                .hasMessageContaining("DescribeServiceRevisions for " + REVISION_ARN + " was refused")
                .hasMessageContaining("AccessDeniedException")
                .message().doesNotContain("testaccesskey");
    }

    @Test
    void refusesSomethingThatIsNotAServiceRevisionArnWithoutAsking() {
        assertThatThrownBy(() -> revisions.describe(SERVICE_ARN))
                .isInstanceOf(ServiceRevisionsException.class)
                .hasMessageContaining(SERVICE_ARN + " is not an ECS service revision ARN");
        assertThat(routed).isEmpty();
        assertThat(server.getAllServeEvents()).isEmpty();
    }

    @Test
    void saysWhyWhenNoClientReachesTheService() {
        SdkServiceRevisions unrouted = new SdkServiceRevisions(service -> {
            throw new IllegalStateException("no ECS client for " + service + ": no environment in the configuration is reached that way");
        });

        assertThatThrownBy(() -> unrouted.describe(REVISION_ARN))
                .isInstanceOf(ServiceRevisionsException.class)
                .hasMessageContaining(REVISION_ARN + " cannot be read")
                .hasMessageContaining("no environment in the configuration");
    }
}
