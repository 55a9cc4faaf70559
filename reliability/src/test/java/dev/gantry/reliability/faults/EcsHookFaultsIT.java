package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.fn.releasegate.EcsHookHandler;
import dev.gantry.fn.releasegate.HandlersFromEnvironment;
import dev.gantry.testing.JsonLogLines;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ECS lifecycle hook of a prod deployment with every call it makes failing in turn: the revision ECS deploys, the
 * gate record and the gate's check. ECS rolls the deployment back when the hook answers FAILED, so a fault must never
 * make it: the hook answers IN_PROGRESS, says why in its log, and passes the release when ECS asks again.
 */
class EcsHookFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

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
    void aHookIsAnsweredWithTheGatesAnswerOrAskedAgainWithAReasonAndNeverRolledBackForAFault() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);
        ProdDeploymentAtPreScaleUp prodDeploymentAtPreScaleUp = new ProdDeploymentAtPreScaleUp();
        FirstInvocation.warmUp(aws, prodDeploymentAtPreScaleUp);

        campaign.run(prodDeploymentAtPreScaleUp);

        assertThat(campaign.record()).isEmpty();
    }

    private static final class ProdDeploymentAtPreScaleUp implements FaultScenario {

        private final WarmHandler<EcsHookHandler> function = new WarmHandler<>(
                environment -> HandlersFromEnvironment.ecsHook(GatedProd.environment(environment, GatedProd.CUSTOM_CHECK_ONLY)));
        private String lastAnswer;

        @Override
        public String name() {
            return "ecs-gate-hook: prod deployment of payments-api 1.4.0 at PRE_SCALE_UP";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            lastAnswer = null;
            GatedProd.stubChecksPassing(aws);
            GatedProd.stubRevision(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            // ECS asks again after the call-back delay; here, when the gate is next due to look.
            GatedProd.nextLookIsDue(aws, environment);
            JsonNode answer;
            List<JsonNode> log;
            try (JsonLogLines lines = JsonLogLines.capture()) {
                answer = JSON.readTree(EcsDeployFaultsIT.invoke(function.of(environment),
                        "gantry-ecs-lifecycle-hook-payments-api-prod.json", "gantry-ecs-gate-hook"));
                log = lines.withMessageStartingWith("lifecycle hook");
            }
            lastAnswer = answer.toString();
            if (answer.path("hookStatus").asText().equals("IN_PROGRESS")) {
                // Not an invocation failure: ECS calls again after callBackDelay, and the log is where the reason is.
                String reason = reason(log);
                throw new AskedAgain(reason.isBlank() ? "" : reason + " (ECS asks again in " + answer.path("callBackDelay").asText() + " s)");
            }
        }

        private static String reason(List<JsonNode> log) {
            if (log.isEmpty()) {
                return "";
            }
            JsonNode line = log.getLast();
            String error = line.path("error").path("message").asText("");
            return line.path("message").asText() + (error.isEmpty() ? "" : ": " + error);
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            if (!"{\"hookStatus\":\"SUCCEEDED\"}".equals(lastAnswer)) {
                missing.add("the hook answered " + lastAnswer + ", not SUCCEEDED");
            }
            missing.addAll(GatedProd.missingFromPassedGate(aws, environment));
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            // The hook changes nothing outside the gate record, whose writes are conditional on its version.
            return List.of();
        }
    }

    /** The hook answered IN_PROGRESS: the deployment waits, and ECS's next call is the redelivery. */
    static final class AskedAgain extends Exception {
        AskedAgain(String message) {
            super(message);
        }
    }
}
