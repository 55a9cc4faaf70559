package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.StateTable;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.PipelineApprovalNotice;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.fn.chatops.ChatOpsWorkerHandler;
import dev.gantry.fn.chatops.HandlersFromEnvironment;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.JsonLogLines;
import dev.gantry.testing.RecordingChatGateway;
import dev.gantry.testing.ReliabilityFigures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The ChatOps worker with every call it makes failing in turn, on the requests the interactions endpoint queues: a
 * {@code /gantry deploy} (the tag read from ECR, the deploy through ECS, the release and the request's ledger in
 * DynamoDB) and a click approving a CodePipeline manual approval (CodePipeline's PutApprovalResult), each answered
 * through the request's {@code response_url}.
 *
 * <p>Two ways a request comes again: a message reported in {@code batchItemFailures} (among them a click CodePipeline
 * could not be told) is delivered again by the queue, the same body; a request answered with a failure (the person told
 * that the deploy failed) is asked again by the person, which is a new Slack request with its own {@code trigger_id}.
 * Done is the effect exactly once and the person told that it was done.
 */
class ChatOpsWorkerFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BOT_TOKEN_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-token-AbCdEf";
    /** Where every request's response_url points here: Slack's hooks, down or up as a whole. */
    private static final String RESPOND_PATH = "/commands/T0GANTRY1/respond";
    /** The example's payments-api staging, with the workspace, app and people ChatOps needs. */
    private static final String CONFIG = """
            version: 1
            slack:
              defaultChannel: "#releases"
              teamId: T0GANTRY1
              appId: A0GANTRY1
              permissions:
                pipelineApprovals: [U0OPS0001]
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy:
                  semver: ">=1.0.0 <2.0.0"
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments-api
                    containers: [app]
                    taskRoleArn: arn:aws:iam::111111111111:role/payments-api-task
                    executionRoleArn: arn:aws:iam::111111111111:role/ecs-task-execution
                    permissions:
                      deploy: [U0RELEASER]
            """;

    private static FaultyAws aws;
    private static Path configFile;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        aws = new FaultyAws();
        configFile = Files.writeString(dir.resolve("gantry.yml"), CONFIG);
    }

    @AfterAll
    static void stop() throws Exception {
        aws.close();
    }

    @Test
    void aQueuedRequestTakesEffectOnceAndItsAnswerIsPosted() throws Exception {
        List<FaultScenario> scenarios = new ArrayList<>(List.of(new DeployCommand()));
        if (ReliabilityFigures.full()) {
            // Its calls are a subset of the deploy's but for CodePipeline; shortened, the deploy's stand for both.
            scenarios.add(new PipelineApprovalClick());
        }
        ImageRebuildFaultsIT.warmUp(aws, scenarios);
        FaultCampaign campaign = new FaultCampaign(aws);

        for (FaultScenario scenario : scenarios) {
            campaign.run(scenario);
        }

        assertThat(campaign.record()).isEmpty();
    }

    static Map<String, String> workerEnvironment(Map<String, String> environment) {
        Map<String, String> worker = new HashMap<>(environment);
        worker.put("GANTRY_CONFIG", configFile.toString());
        worker.put("GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_ARN);
        worker.put("GANTRY_SLACK_API_URL", aws.endpoint());
        return worker;
    }

    static void stubSlack(FaultyAws aws) {
        aws.server.stubFor(post(urlPathEqualTo(RESPOND_PATH)).willReturn(aResponse().withStatus(200).withBody("ok")));
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + BOT_TOKEN_ARN + "\",\"Name\":\"gantry/slack-bot-token\",\"SecretString\":\"test-bot-token-not-real\"}")));
    }

    /** An SQS batch of one, as Lambda hands the request queue's message to the worker. */
    static String queued(String messageId, String body) {
        ObjectNode batch = JSON.createObjectNode();
        ObjectNode record = batch.putArray("Records").addObject().put("messageId", messageId).put("body", body).put("eventSource", "aws:sqs");
        record.putObject("messageAttributes").putObject("kind").put("stringValue", body.startsWith("payload=") ? "interaction" : "command")
                .put("dataType", "String");
        return batch.toString();
    }

    /** The answers that reached the response_url, oldest first. */
    static List<JsonNode> answers(FaultyAws aws) {
        List<JsonNode> answers = new ArrayList<>();
        for (ServeEvent event : aws.journal()) {
            // A slow answer counts: the worker's Slack client waits longer for a response_url than the faults delay it.
            if (event.getRequest().getUrl().equals(RESPOND_PATH) && event.getResponse() != null && event.getResponse().getStatus() == 200
                    && event.getResponseDefinition().getFault() == null) {
                try {
                    answers.add(JSON.readTree(event.getRequest().getBodyAsString()));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return answers;
    }

    /**
     * Delivers one request to a worker built from the environment, and says how it comes again when it failed: the
     * queue's redelivery for a message the worker reported failed, or the person's next try (a new trigger id) when
     * the answer told them it did not work.
     */
    abstract static class QueuedRequest implements FaultScenario {

        private final Map<String, Integer> tries = new HashMap<>();
        /** One worker per environment: a request that comes again mostly meets the warm instance that failed it. */
        private final WarmHandler<ChatOpsWorkerHandler> worker = new WarmHandler<>(
                environment -> HandlersFromEnvironment.worker(workerEnvironment(environment)));

        /** The request's body as the interactions endpoint queued it: the person's {@code attempt}-th try. */
        abstract String body(int attempt, Map<String, String> environment);

        /**
         * Before a request comes again, whether from the queue (after its visibility timeout, six minutes) or from the
         * person (who was told to try again in a few minutes): what the time between has changed.
         */
        void minutesPassed(Map<String, String> environment) {
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            if (tries.containsKey(table)) {
                minutesPassed(environment);
            }
            int attempt = tries.computeIfAbsent(table, t -> 1);
            ChatOpsWorkerHandler handler = worker.of(environment);
            ByteArrayOutputStream output = new ByteArrayOutputStream();
            List<String> logged = new ArrayList<>();
            try (JsonLogLines log = JsonLogLines.capture()) {
                handler.handleRequest(new ByteArrayInputStream(queued("m-" + attempt, body(attempt, environment)).getBytes(StandardCharsets.UTF_8)),
                        output, new LocalContext("gantry-chatops-worker", 60_000));
                log.lines().stream().filter(line -> line.path("level").asText().matches("ERROR|WARN"))
                        .forEach(line -> logged.add(line.path("message").asText()));
            }
            JsonNode answer = JSON.readTree(output.toByteArray());
            if (!answer.path("batchItemFailures").isEmpty()) {
                throw new QueueDeliversAgain("reported in batchItemFailures, the queue delivers it again: " + String.join(" | ", logged));
            }
            if (!missing(aws, environment).isEmpty()) {
                tries.put(table, attempt + 1);
                List<JsonNode> answers = answers(aws);
                throw new PersonAsksAgain("the person was told: '" + (answers.isEmpty() ? "nothing" : answers.getLast().path("text").asText())
                        + "', and asks again; logged: " + String.join(" | ", logged));
            }
        }
    }

    /** {@code /gantry deploy payments-api 1.4.0 staging} by someone allowed to: deployed once and said so. */
    private static final class DeployCommand extends QueuedRequest {

        @Override
        public String name() {
            return "chatops-worker: /gantry deploy payments-api 1.4.0 staging";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubSlack(aws);
            EcsDeployFaultsIT.stubStagingService(aws);
            aws.server.stubFor(JsonProtocolWire.ECR.operation("DescribeImages").willReturn(JsonProtocolWire.json(
                    "{\"imageDetails\":[{\"registryId\":\"111111111111\",\"repositoryName\":\"payments-api\",\"imageDigest\":\"" + EcsDeployFaultsIT.DIGEST
                            + "\",\"imageTags\":[\"1.4.0\"]}]}")));
        }

        @Override
        String body(int attempt, Map<String, String> environment) {
            return "team_id=T0GANTRY1&api_app_id=A0GANTRY1&user_id=U0RELEASER&user_name=releaser&command=%2Fgantry"
                    + "&text=" + URLEncoder.encode("deploy payments-api 1.4.0 staging", StandardCharsets.UTF_8)
                    + "&response_url=" + URLEncoder.encode(aws.endpoint() + RESPOND_PATH, StandardCharsets.UTF_8)
                    + "&trigger_id=13345224609.738474920.7" + attempt + "&channel_id=C0RELEASES";
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>(EcsDeployFaultsIT.missingFromStagingRelease(aws, environment));
            if (answers(aws).stream().map(a -> a.path("text").asText())
                    .noneMatch(text -> text.contains("DEPLOYED") || text.contains("by an earlier attempt at this same event"))) {
                missing.add("nobody was told the deploy was done; answers: " + answers(aws).stream().map(a -> a.path("text").asText()).toList());
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("RegisterTaskDefinition", "UpdateService");
        }
    }

    /**
     * A click on Approve of a CodePipeline manual approval's card: CodePipeline told once, the card redrawn. The card
     * is what the notify function left: written straight to DynamoDB when the request is first delivered.
     */
    private static final class PipelineApprovalClick extends QueuedRequest {

        private final Map<String, PendingApproval> cards = new HashMap<>();

        @Override
        public String name() {
            return "chatops-worker: Approve clicked on a CodePipeline approval";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubSlack(aws);
            aws.server.stubFor(JsonProtocolWire.CODEPIPELINE.operation("PutApprovalResult")
                    .willReturn(JsonProtocolWire.json("{\"approvedAt\":1763892000}")));
        }

        private PendingApproval card(Map<String, String> environment) {
            return cards.computeIfAbsent(environment.get("GANTRY_TABLE"), table -> {
                GantryConfig config = ConfigLoader.load(configFile);
                String message = Fixtures.eventText("codepipeline-manual-approval-sns-message.json").replace("2016-07-07T20:22Z", "2099-07-07T20:22Z");
                return new ApprovalRequests(config, new DynamoDbPendingApprovals(aws.dynamo, table), new RecordingChatGateway(),
                        new ChatPermissions(config, ApproverGroups.none()), Clock.systemUTC())
                        .requestPipelineApproval(PipelineApprovalNotice.parse(message), null);
            });
        }

        /** The click comes again minutes later, from the queue or the person: by then a recorded, untold decision may be sent. */
        @Override
        void minutesPassed(Map<String, String> environment) {
            String id = card(environment).id();
            var approval = new DynamoDbPendingApprovals(aws.dynamo, environment.get("GANTRY_TABLE")).find(id);
            if (approval.isPresent() && approval.get().state() == PendingApproval.State.DECIDING) {
                aws.dynamo.updateItem(r -> r.tableName(environment.get("GANTRY_TABLE"))
                        .key(Map.of(StateTable.PARTITION_KEY, AttributeValue.fromS("APPROVAL#" + id), StateTable.SORT_KEY, AttributeValue.fromS("APPROVAL")))
                        .updateExpression("SET #decision.#at = :at")
                        .expressionAttributeNames(Map.of("#decision", "decision", "#at", "at"))
                        .expressionAttributeValues(Map.of(":at", AttributeValue.fromS(approval.get().decision().at().minus(Duration.ofMinutes(3)).toString()))));
            }
        }

        @Override
        String body(int attempt, Map<String, String> environment) {
            ObjectNode payload = JSON.createObjectNode().put("type", "block_actions").put("api_app_id", "A0GANTRY1")
                    .put("trigger_id", "13345224609.738474920.9" + attempt).put("response_url", aws.endpoint() + RESPOND_PATH);
            payload.putObject("team").put("id", "T0GANTRY1");
            payload.putObject("user").put("id", "U0OPS0001");
            // From the card's own message: Gantry refuses a button that names an approval from another message.
            PendingApproval card = card(environment);
            payload.putObject("channel").put("id", card.channelId());
            payload.putObject("container").put("type", "message").put("message_ts", card.messageTs()).put("channel_id", card.channelId());
            payload.putArray("actions").addObject().put("action_id", ApprovalCards.PIPELINE_APPROVE).put("block_id", "approval")
                    .put("value", card(environment).id()).put("type", "button");
            return "payload=" + URLEncoder.encode(payload.toString(), StandardCharsets.UTF_8);
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            var card = new DynamoDbPendingApprovals(aws.dynamo, environment.get("GANTRY_TABLE")).find(card(environment).id());
            if (card.isEmpty() || card.get().state() != PendingApproval.State.DECIDED) {
                missing.add("the approval is " + card.map(c -> c.state().toString()).orElse("gone") + ", not DECIDED");
            }
            if (aws.succeeded("PutApprovalResult") == 0) {
                missing.add("CodePipeline was never told");
            }
            if (answers(aws).stream().noneMatch(a -> a.path("replace_original").asBoolean() || a.path("text").asText().startsWith("Already done"))) {
                missing.add("the card was not redrawn nor the person told; answers: " + answers(aws).stream().map(a -> a.path("text").asText()).toList());
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("PutApprovalResult");
        }
    }

    /** The worker reported the message failed: the queue delivers the same message again. */
    static final class QueueDeliversAgain extends Exception {
        QueueDeliversAgain(String message) {
            super(message);
        }
    }

    /** The person was answered that it did not work: their next try is a new request. */
    static final class PersonAsksAgain extends Exception {
        PersonAsksAgain(String message) {
            super(message);
        }
    }
}
