package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.ReleaseNewsJson.MalformedNewsException;
import dev.gantry.core.deploy.DeployOutcome;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ReleaseNews;
import dev.gantry.core.notify.ReleaseNews.AlarmChanged;
import dev.gantry.core.notify.ReleaseNews.BuildChanged;
import dev.gantry.core.notify.ReleaseNews.DeployDeclined;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ReleaseNews.GateChanged;
import dev.gantry.core.notify.ReleaseNews.GateDecided;
import dev.gantry.core.notify.ReleaseNews.PipelineChanged;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.notify.ReleaseNews.RolloutChanged;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.release.RolloutStatus;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleaseNewsJsonTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant AT = Instant.parse("2026-11-23T10:15:30.123Z");
    private static final ImageDigest DIGEST = new ImageDigest("sha256:07348c1177395e36a0630834b693a5318a854ba216a887b7c7244eefa4b0efcd");
    private static final ImageDigest BASE = new ImageDigest("sha256:" + "b2".repeat(32));
    private static final String TASK_DEFINITION = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:8";
    private static final String PREVIOUS_TASK_DEFINITION = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:7";

    /** One of every kind of news, every field set, by the type name it must travel under. */
    private static Map<String, ReleaseNews> everyKind() {
        Map<String, ReleaseNews> news = new LinkedHashMap<>();
        news.put("DeployStarted", new DeployStarted("deploy/payments-api/staging/07348c117739", AT, "payments-api", "staging", DIGEST,
                "1.4.0", "1.3.0", "sha256:5e1f2a3b4c5d", List.of("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:07348c117739"),
                List.of("U0EXAMPLE1", "arn:aws:iam::111111111111:role/release"), TASK_DEFINITION, PREVIOUS_TASK_DEFINITION,
                "111111111111", "eu-west-1", "staging", "payments-api"));
        news.put("DeployDeclined", new DeployDeclined("declined/payments-api/prod/07348c117739/HELD/event-1", AT, "payments-api", "prod",
                DIGEST, "1.4.0", DeployOutcome.Result.HELD, "held at gate 'production': waiting for approvals: 0 of 2 approvals"));
        news.put("RolloutChanged", new RolloutChanged("rollout/payments-api/staging/07348c117739/ROLLED_BACK", AT, "payments-api",
                "staging", DIGEST, RolloutStatus.ROLLED_BACK, "ECS deployment circuit breaker: tasks failed to start."));
        news.put("GateChanged", new GateChanged("gate/payments-api/prod/07348c117739/event-1/WAITING/" + AT, AT, "payments-api", "prod",
                DIGEST, "1.4.0", "production", GateStatus.WAITING, "waiting for approvals",
                List.of("approvals WAIT: 1 of 2 approvals", "  U0EXAMPLE1 approved"), 1, 2));
        news.put("GateDecided", new GateDecided("gate-decision/payments-api/prod/07348c117739/U0EXAMPLE1/APPROVE/" + AT, AT,
                "payments-api", "prod", DIGEST, "production", "U0EXAMPLE1", Approval.Decision.APPROVE, "looks good"));
        news.put("PipelineChanged", new PipelineChanged("pipeline/checkout-web-release/exec-1/Deploy/FAILED", AT, "checkout-web-release",
                "0c7a7b2e-5f4b-4a7e-9c55-1f0a3d1e2b3c", "Deploy", "FAILED", "checkout-web", DIGEST, "eu-west-1"));
        news.put("BuildChanged", new BuildChanged("build/runtime-java-image:1234/SUCCEEDED", AT, ThreadKey.rebuild("golden/java21", BASE),
                "runtime-java-image", "runtime-java-image:1234", "SUCCEEDED", "https://console.example/logs", "eu-west-1", "111111111111"));
        news.put("RebuildChanged", new RebuildChanged("rebuild/golden-java21/run-1/PUSH/0123456789abcdef", AT, "golden/java21", BASE, 1, 2,
                3, "wave 1 of 2: 1 started", List.of(new RebuildChanged.Dependent("runtime-java", 1, "STARTED", "runtime-java-image:1234",
                        "runtime-java: its image continues no cascade", 2, "their base image is rebuilt on a newer digest of its base"))));
        news.put("AlarmChanged", new AlarmChanged("alarm/payments-api-5xx/ALARM/" + AT, AT, ThreadKey.release("payments-api", DIGEST),
                "payments-api-5xx", "ALARM", "Threshold Crossed: 1 datapoint [12.0] was greater than the threshold (5.0).", "eu-west-1",
                "Page the payments on-call."));
        return news;
    }

    @Test
    void readsBackEveryKindOfNewsItWrote() {
        for (ReleaseNews news : everyKind().values()) {
            assertThat(ReleaseNewsJson.read(ReleaseNewsJson.write(news))).as(news.getClass().getSimpleName()).isEqualTo(news);
        }
    }

    @Test
    void readsBackNewsWhoseOptionalFieldsAreAbsent() {
        List<ReleaseNews> sparse = List.of(
                new DeployStarted("deploy/payments-api/staging/07348c117739", AT, "payments-api", "staging", DIGEST, null, null, null,
                        List.of(), List.of(), null, null, null, null, null, null),
                new PipelineChanged("pipeline/checkout-web-release/exec-1/-/STARTED", AT, "checkout-web-release", "exec-1", null, "STARTED",
                        null, null, null),
                new GateDecided("gate-decision/x", AT, "payments-api", "prod", DIGEST, null, "U0EXAMPLE1", Approval.Decision.REJECT, null));

        for (ReleaseNews news : sparse) {
            assertThat(ReleaseNewsJson.read(ReleaseNewsJson.write(news))).isEqualTo(news);
        }
    }

    @Test
    void readsBackAnAlarmOfGantryItselfInItsOperationsThread() throws Exception {
        AlarmChanged alarm = AlarmChanged.of(ThreadKey.operations("Gantry-failed-invocations-depth", "eu-west-1"),
                "Gantry-failed-invocations-depth", "ALARM", "Threshold Crossed: 1 out of the last 1 datapoints [1.0] was greater than the "
                        + "threshold (0.0).", "eu-west-1", "A Gantry function failed on an event.\nRead it, fix the cause, replay it.", AT);

        String written = ReleaseNewsJson.write(alarm);

        assertThat(ReleaseNewsJson.read(written)).isEqualTo(alarm);
        assertThat(JSON.readTree(written).path("thread")).isEqualTo(JSON.readTree(
                "{\"kind\":\"OPERATIONS\",\"name\":\"Gantry-failed-invocations-depth\",\"id\":\"eu-west-1\"}"));
    }

    @Test
    void readsAnAlarmFromASenderThatWritesNoDescriptionYet() throws Exception {
        ObjectNode older = (ObjectNode) JSON.readTree(ReleaseNewsJson.write(everyKind().get("AlarmChanged")));
        older.remove("description");

        AlarmChanged read = (AlarmChanged) ReleaseNewsJson.read(older.toString());

        assertThat(read.description()).isEmpty();
        assertThat(read.reason()).isEqualTo(((AlarmChanged) everyKind().get("AlarmChanged")).reason());
    }

    @Test
    void readsRebuildNewsFromASenderThatCountsNoImagesNotRebuiltYet() throws Exception {
        ObjectNode older = (ObjectNode) JSON.readTree(ReleaseNewsJson.write(everyKind().get("RebuildChanged")));
        ObjectNode dependent = (ObjectNode) older.path("dependents").get(0);
        dependent.remove("notRebuiltBelow");
        dependent.remove("notRebuiltBecause");

        RebuildChanged read = (RebuildChanged) ReleaseNewsJson.read(older.toString());

        assertThat(read.dependents()).singleElement().satisfies(d -> {
            assertThat(d.status()).isEqualTo("STARTED");
            assertThat(d.notRebuiltBelow()).isZero();
            assertThat(d.notRebuiltBecause()).isNull();
        });
    }

    @Test
    void writesEveryKindOfNewsUnderItsStableTypeName() throws Exception {
        for (Map.Entry<String, ReleaseNews> kind : everyKind().entrySet()) {
            JsonNode written = JSON.readTree(ReleaseNewsJson.write(kind.getValue()));

            assertThat(written.path("type").asText()).isEqualTo(kind.getKey());
        }
    }

    @Test
    void namesEveryKindOfNewsCoreHas() {
        List<Class<?>> inCore = Arrays.asList(ReleaseNews.class.getPermittedSubclasses());

        assertThat(ReleaseNewsJson.TYPE_NAMES.keySet()).containsExactlyInAnyOrderElementsOf(
                inCore.stream().map(type -> type.asSubclass(ReleaseNews.class)).toList());
        assertThat(everyKind().values()).extracting(Object::getClass).containsExactlyInAnyOrderElementsOf(inCore);
    }

    @Test
    void writesInstantsAndDigestsAsStringsAndAThreadAsAnObject() throws Exception {
        JsonNode deploy = JSON.readTree(ReleaseNewsJson.write(everyKind().get("DeployStarted")));
        JsonNode alarm = JSON.readTree(ReleaseNewsJson.write(everyKind().get("AlarmChanged")));

        assertThat(deploy.path("at").asText()).isEqualTo("2026-11-23T10:15:30.123Z");
        assertThat(deploy.path("digest").asText()).isEqualTo(DIGEST.value());
        assertThat(deploy.path("newsId").asText()).isEqualTo("deploy/payments-api/staging/07348c117739");
        assertThat(deploy.path("changes").get(0).asText()).startsWith("app: payments-api:1.3.0 -> ");
        assertThat(deploy.has("thread")).as("a deploy's thread follows from its service and digest").isFalse();
        assertThat(alarm.path("thread").path("kind").asText()).isEqualTo("RELEASE");
        assertThat(alarm.path("thread").path("name").asText()).isEqualTo("payments-api");
        assertThat(alarm.path("thread").path("id").asText()).isEqualTo(DIGEST.value());
    }

    @Test
    void pinsTheWireFormatOfADeclinedDeploy() throws Exception {
        JsonNode written = JSON.readTree(ReleaseNewsJson.write(everyKind().get("DeployDeclined")));

        assertThat(written).isEqualTo(JSON.readTree("""
                {"type":"DeployDeclined","newsId":"declined/payments-api/prod/07348c117739/HELD/event-1","at":"2026-11-23T10:15:30.123Z",
                 "service":"payments-api","environment":"prod","digest":"%s","tag":"1.4.0","result":"HELD",
                 "reason":"held at gate 'production': waiting for approvals: 0 of 2 approvals"}""".formatted(DIGEST.value())));
    }

    @Test
    void ignoresAFieldItDoesNotKnowSoASenderMayAddOneFirst() throws Exception {
        ObjectNode withMore = (ObjectNode)
                JSON.readTree(ReleaseNewsJson.write(everyKind().get("RolloutChanged")));
        withMore.put("deploymentId", "ecs-svc/1234567890123456789");

        assertThat(ReleaseNewsJson.read(withMore.toString())).isEqualTo(everyKind().get("RolloutChanged"));
    }

    @Test
    void rejectsAMessageThatIsNotJson() {
        assertThatThrownBy(() -> ReleaseNewsJson.read("{\"type\":\"DeployStarted\","))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageStartingWith("the message is not JSON");
        assertThatThrownBy(() -> ReleaseNewsJson.read(""))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void rejectsAnUnknownTypeNamingIt() {
        assertThatThrownBy(() -> ReleaseNewsJson.read("{\"type\":\"DeployExploded\",\"newsId\":\"x\",\"at\":\"2026-11-23T10:00:00Z\"}"))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageContaining("unknown news type 'DeployExploded'")
                .hasMessageContaining("DeployStarted, DeployDeclined");
    }

    @Test
    void rejectsNewsWithoutAType() {
        assertThatThrownBy(() -> ReleaseNewsJson.read("{\"newsId\":\"x\",\"at\":\"2026-11-23T10:00:00Z\"}"))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageContaining("'type' field is missing");
    }

    @Test
    void rejectsNewsMissingAFieldItsTypeNeeds() throws Exception {
        ObjectNode withoutService = (ObjectNode)
                JSON.readTree(ReleaseNewsJson.write(everyKind().get("DeployStarted")));
        withoutService.remove("service");

        assertThatThrownBy(() -> ReleaseNewsJson.read(withoutService.toString()))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessage("news of type DeployStarted is incomplete: 'service' is missing");
    }

    @Test
    void rejectsAMalformedDigestOrInstantNamingTheField() throws Exception {
        ObjectNode badDigest = (ObjectNode)
                JSON.readTree(ReleaseNewsJson.write(everyKind().get("RolloutChanged")));
        badDigest.put("digest", "sha256:07348c117739");
        ObjectNode badInstant = (ObjectNode)
                JSON.readTree(ReleaseNewsJson.write(everyKind().get("RolloutChanged")));
        badInstant.put("at", "yesterday");

        assertThatThrownBy(() -> ReleaseNewsJson.read(badDigest.toString()))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageContaining("RolloutChanged")
                .hasMessageContaining("'digest'")
                .hasMessageContaining("64 lower-case hex digits");
        assertThatThrownBy(() -> ReleaseNewsJson.read(badInstant.toString()))
                .isInstanceOf(MalformedNewsException.class)
                .hasMessageContaining("'at'")
                .hasMessageContaining("'yesterday' is not an ISO-8601 instant");
    }
}
