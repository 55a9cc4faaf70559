package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.EcsServiceRef;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.sts.StsClient;

/** ECS calls for an environment with a role are signed with the role's credentials, which STS hands out on the wire. */
class EcsClientsIT {

    private static final AwsCredentialsProvider SOURCE =
            StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
    private static final String ROLE = "arn:aws:iam::222222222222:role/gantry-deployer";
    private static final String ASSUMED_KEY = "assumedaccesskey";
    private static final String ASSUMED_TOKEN = "assumed-session-token";

    private static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: orders
                  - name: prod
                    account: "222222222222"
                    region: eu-west-1
                    cluster: prod
                    service: orders
                    roleArn: arn:aws:iam::222222222222:role/gantry-deployer
            """, "gantry.yml");

    private static final EcsServiceRef STAGING = EcsServiceRef.of(CONFIG.services().get(0).environments().get(0));
    private static final EcsServiceRef PROD = EcsServiceRef.of(CONFIG.services().get(0).environments().get(1));

    private static WireMockServer server;
    private EcsClients clients;
    private SdkEcsGateway gateway;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
    }

    @AfterAll
    static void stopServer() {
        server.stop();
    }

    @BeforeEach
    void buildClients() {
        server.resetAll();
        // STS speaks the query protocol: POST / with a form body naming the action, answered in XML.
        server.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=AssumeRole")).willReturn(aResponse()
                .withStatus(200)
                .withHeader("Content-Type", "text/xml")
                .withBody("""
                        <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
                          <AssumeRoleResult>
                            <Credentials>
                              <AccessKeyId>%s</AccessKeyId>
                              <SecretAccessKey>assumed-secret-key</SecretAccessKey>
                              <SessionToken>%s</SessionToken>
                              <Expiration>2099-01-01T00:00:00Z</Expiration>
                            </Credentials>
                            <AssumedRoleUser>
                              <AssumedRoleId>AROAEXAMPLEROLEID:gantry-orders-prod</AssumedRoleId>
                              <Arn>arn:aws:sts::222222222222:assumed-role/gantry-deployer/gantry-orders-prod</Arn>
                            </AssumedRoleUser>
                          </AssumeRoleResult>
                          <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
                        </AssumeRoleResponse>""".formatted(ASSUMED_KEY, ASSUMED_TOKEN))));
        server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json("{\"service\":{\"serviceName\":\"orders\"}}")));
        URI endpoint = URI.create(server.baseUrl());
        clients = new EcsClients(CONFIG,
                (region, credentials) -> EcsClient.builder().endpointOverride(endpoint).region(region).credentialsProvider(credentials)
                        .httpClient(UrlConnectionHttpClient.create()).build(),
                SOURCE,
                () -> StsClient.builder().endpointOverride(endpoint).region(Region.EU_WEST_1).credentialsProvider(SOURCE)
                        .httpClient(UrlConnectionHttpClient.create()).build());
        gateway = new SdkEcsGateway(clients);
    }

    @AfterEach
    void closeClients() {
        clients.close();
    }

    @Test
    void signsTheEcsCallWithTheAssumedRolesCredentials() {
        gateway.updateService(PROD, "arn:aws:ecs:eu-west-1:222222222222:task-definition/orders:2");

        LoggedRequest ecsCall = ecsRequests().get(0);
        assertThat(ecsCall.getHeader("Authorization")).contains("Credential=" + ASSUMED_KEY + "/");
        assertThat(ecsCall.getHeader("X-Amz-Security-Token")).isEqualTo(ASSUMED_TOKEN);
    }

    @Test
    void assumesTheConfiguredRoleWithASessionNamedForTheEnvironmentUsingGantrysOwnCredentials() {
        gateway.updateService(PROD, "arn:aws:ecs:eu-west-1:222222222222:task-definition/orders:2");

        LoggedRequest assume = stsRequests().get(0);
        String form = URLDecoder.decode(assume.getBodyAsString(), StandardCharsets.UTF_8);
        assertThat(form).contains("Action=AssumeRole").contains("RoleArn=" + ROLE).contains("RoleSessionName=gantry-orders-prod");
        assertThat(assume.getHeader("Authorization")).contains("Credential=testaccesskey/");
    }

    @Test
    void assumesTheRoleOnFirstUseOnlyAndReusesItsCredentials() {
        assertThat(stsRequests()).as("nothing is fetched while the clients are built").isEmpty();

        gateway.updateService(PROD, "arn:aws:ecs:eu-west-1:222222222222:task-definition/orders:2");
        gateway.updateService(PROD, "arn:aws:ecs:eu-west-1:222222222222:task-definition/orders:3");

        assertThat(stsRequests()).hasSize(1);
        assertThat(ecsRequests()).hasSize(2).allSatisfy(r -> assertThat(r.getHeader("Authorization")).contains(ASSUMED_KEY));
    }

    @Test
    void anEnvironmentWithoutARoleIsCalledWithGantrysOwnCredentials() {
        gateway.updateService(STAGING, "arn:aws:ecs:eu-west-1:111111111111:task-definition/orders:2");

        assertThat(ecsRequests()).singleElement().satisfies(r -> {
            assertThat(r.getHeader("Authorization")).contains("Credential=testaccesskey/");
            assertThat(r.containsHeader("X-Amz-Security-Token")).isFalse();
        });
        assertThat(stsRequests()).isEmpty();
    }

    private List<LoggedRequest> stsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(containing("Action=AssumeRole")));
    }

    private List<LoggedRequest> ecsRequests() {
        return server.findAll(postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Target", WireMock.matching(EcsWire.TARGET_PREFIX + ".*")));
    }
}
