package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.gantry.core.chatops.PipelineApprovals.AlreadyDecidedException;
import dev.gantry.core.chatops.PipelineApprovals.InvalidTokenException;
import dev.gantry.core.chatops.PipelineApprovals.PipelineApprovalsException;
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

class SdkPipelineApprovalsIT {

    private static final JsonProtocolWire CODEPIPELINE = JsonProtocolWire.CODEPIPELINE;
    private static final String TOKEN = "test-approval-token";
    private static final String APPROVAL = "MyFirstPipeline/MyApprovalStage/MyApprovalAction";

    private static WireMockServer server;
    private static CodePipelineClient client;
    private SdkPipelineApprovals approvals;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        client = CodePipelineClient.builder()
                .endpointOverride(URI.create(server.baseUrl()))
                .region(Region.US_EAST_2)
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
        approvals = new SdkPipelineApprovals(client);
    }

    @Test
    void approvesWithTheTokenAndSummaryOnTheWire() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.json("{\"approvedAt\":1795428005.0}")));

        approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, true, "Approved in Slack by U012ALICE");

        var bodies = CODEPIPELINE.requests(server, "PutApprovalResult");
        assertThat(bodies).hasSize(1);
        JsonNode body = bodies.get(0);
        assertThat(body.at("/pipelineName").asText()).isEqualTo("MyFirstPipeline");
        assertThat(body.at("/stageName").asText()).isEqualTo("MyApprovalStage");
        assertThat(body.at("/actionName").asText()).isEqualTo("MyApprovalAction");
        assertThat(body.at("/token").asText()).isEqualTo(TOKEN);
        assertThat(body.at("/result/status").asText()).isEqualTo("Approved");
        assertThat(body.at("/result/summary").asText()).isEqualTo("Approved in Slack by U012ALICE");
    }

    @Test
    void rejectsWithTheSummaryOnTheWire() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.json("{\"approvedAt\":1795428005.0}")));

        approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, false, "Rejected in Slack by U012BOB");

        JsonNode body = CODEPIPELINE.requests(server, "PutApprovalResult").get(0);
        assertThat(body.at("/result/status").asText()).isEqualTo("Rejected");
        assertThat(body.at("/result/summary").asText()).isEqualTo("Rejected in Slack by U012BOB");
        assertThat(body.at("/token").asText()).isEqualTo(TOKEN);
    }

    @Test
    void readsAnApprovalAlreadyCompletedAsAlreadyDecided() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.error("ApprovalAlreadyCompletedException",
                "The approval action has already been completed")));

        assertThatThrownBy(() -> approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, true, "ok"))
                .isInstanceOf(AlreadyDecidedException.class)
                .hasMessage("the approval " + APPROVAL + " was answered already: The approval action has already been completed");
    }

    @Test
    void readsAnInvalidApprovalTokenAsAnInvalidTokenWithoutRepeatingIt() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.error("InvalidApprovalTokenException",
                "Approval token " + TOKEN + " is not valid for this action")));

        assertThatThrownBy(() -> approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, false, "no"))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessage("the approval " + APPROVAL + " no longer takes this token: Approval token <token> is not valid for this action");
    }

    @Test
    void reportsAnyOtherRefusalAsAFailureNamingTheApproval() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(JsonProtocolWire.error("ActionNotFoundException",
                "The specified action cannot be found")));

        assertThatThrownBy(() -> approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, true, "ok"))
                .isInstanceOf(PipelineApprovalsException.class)
                .hasMessage("PutApprovalResult for " + APPROVAL + " was refused: ActionNotFoundException (HTTP 400): "
                        + "The specified action cannot be found");
    }

    @Test
    void reportsAnUnreachableServiceAsAFailureNamingTheApprovalButNotTheToken() {
        server.stubFor(CODEPIPELINE.operation("PutApprovalResult").willReturn(WireMock.aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        assertThatThrownBy(() -> approvals.putApprovalResult("MyFirstPipeline", "MyApprovalStage", "MyApprovalAction", TOKEN, true, "ok"))
                .isInstanceOf(PipelineApprovalsException.class)
                .hasMessageStartingWith("PutApprovalResult for " + APPROVAL + " failed: ")
                .hasMessageNotContaining(TOKEN);
    }
}
