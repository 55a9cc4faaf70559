package dev.gantry.reliability.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.fn.ecsdeploy.GateSweepHandler;
import dev.gantry.fn.ecsdeploy.HandlersFromEnvironment;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gate sweep with every call it makes failing in turn, for a push held at prod's gate whose custom check now
 * passes: the due records read, the check asked again, the record stored, and the deploy it hands the release to. The
 * sweep's schedule is the redelivery: a release it could not finish must stay due, and the next sweep at which it is
 * due must deploy it, once.
 */
class GateSweepFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant PUSHED_AT = Instant.parse("2026-03-04T09:58:00Z");

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
    void aReleaseWhoseGatePassedIsDeployedOnceOrStaysDueWithAReasonAndALaterSweepDeploysIt() throws Exception {
        FaultCampaign campaign = new FaultCampaign(aws);
        HeldAtProdsGate heldAtProdsGate = new HeldAtProdsGate();
        FirstInvocation.warmUp(aws, heldAtProdsGate);

        campaign.run(heldAtProdsGate);

        assertThat(campaign.record()).isEmpty();
    }

    @Test
    void aReleaseADeadInvocationWasDeployingIsDeployedByTheFirstSweepAfterItsLeaseRunsOut() throws Exception {
        aws.reset();
        GatedProd.stubChecksPassing(aws);
        GatedProd.stubService(aws);
        Map<String, String> environment = aws.environment(aws.freshTable());
        String table = environment.get("GANTRY_TABLE");
        passedAndDue(table);
        // An invocation that claimed the release and died before ECS was called (a Lambda timeout, an out-of-memory
        // kill): its lease runs on until it expires, as a dead invocation's does.
        Instant died = Instant.now();
        Duration leftOfItsLease = Duration.ofSeconds(2);
        new DynamoDbReleaseStore(aws.dynamo, table).claim(Release.proposed(GatedProd.RELEASE, "1.4.0", GatedProd.IMAGE,
                "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10", "dead-invocation", died.plus(leftOfItsLease), died), died, leftOfItsLease);
        GateSweepHandler sweep = HandlersFromEnvironment.gateSweep(GatedProd.environment(environment, GatedProd.CUSTOM_CHECK_ONLY));

        EcsDeployFaultsIT.invoke(sweep, "gantry-scheduled-event-gate-sweep.json", "gantry-gate-sweep");
        Thread.sleep(Duration.between(Instant.now(), died.plus(leftOfItsLease)).plusMillis(200).toMillis());
        GatedProd.nextLookIsDue(aws, environment);
        EcsDeployFaultsIT.invoke(sweep, "gantry-scheduled-event-gate-sweep.json", "gantry-gate-sweep");

        assertThat(GatedProd.record(aws, environment).orElseThrow().handoff()).startsWith("DEPLOYED");
        assertThat(aws.succeeded("UpdateService")).isEqualTo(1);
    }

    /** The custom check passed at prod's gate two minutes ago; the push that asked died before its deploy. */
    private static void passedAndDue(String table) {
        MutableClock twoMinutesAgo = new MutableClock(Instant.now().minus(GateService.HANDOFF_GRACE));
        InMemoryCustomChecks custom = new InMemoryCustomChecks();
        custom.givenPass(GatedProd.CUSTOM_CHECK, "no open incident");
        var config = ConfigLoader.load(Path.of(GatedProd.environment(Map.of(), GatedProd.CUSTOM_CHECK_ONLY).get("GANTRY_CONFIG")));
        GateRecord passed = new GateService(config, new DynamoDbGateStore(aws.dynamo, table), new DynamoDbReleaseStore(aws.dynamo, table),
                new InMemoryAlarmStates(), new InMemoryChangeCalendars(), custom, ApproverGroups.none(), twoMinutesAgo)
                .evaluate(new GateSubject(GatedProd.RELEASE, GatedProd.IMAGE, "1.4.0", PUSHED_AT, List.of(), GateOrigin.DEPLOY,
                        "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10"));
        if (passed.status() != GateStatus.PASSED || passed.dueAt() == null || passed.dueAt().isAfter(Instant.now())) {
            throw new IllegalStateException("the passed release is not due for the sweep: " + passed);
        }
    }

    private static final class HeldAtProdsGate implements FaultScenario {

        private final WarmHandler<GateSweepHandler> function = new WarmHandler<>(
                environment -> HandlersFromEnvironment.gateSweep(GatedProd.environment(environment, GatedProd.CUSTOM_CHECK_ONLY)));
        private String seededTable;

        @Override
        public String name() {
            return "gate-sweep: payments-api 1.4.0 held at prod's gate, which now passes";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            GatedProd.stubChecksPassing(aws);
            GatedProd.stubService(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            if (!table.equals(seededTable)) {
                heldByTheCustomCheck(table);
                seededTable = table;
            }
            // Each sweep runs the minute the release is due, however long that is after the last one.
            GatedProd.nextLookIsDue(aws, environment);
            JsonNode report = JSON.readTree(EcsDeployFaultsIT.invoke(function.of(environment),
                    "gantry-scheduled-event-gate-sweep.json", "gantry-gate-sweep"));
            for (JsonNode line : report.path("lines")) {
                boolean handedOver = line.path("what").asText().startsWith("handed to the deploy after the gate passed: DEPLOYED");
                if (line.path("release").asText().equals(GatedProd.RELEASE.id()) && !handedOver) {
                    // The sweep answers for each release it looked at; one it could not finish stays due for the next.
                    String what = line.path("what").asText();
                    throw new ReleaseStillDue(what.isBlank() ? "" : what + " (the sweep left " + GatedProd.RELEASE.id() + " "
                            + line.path("status").asText() + ")");
                }
            }
        }

        /**
         * The push reached prod's gate two minutes ago and was held by the custom check: the record as the deploy function
         * left it, due for the sweep a minute later. Written by the gate service itself, straight to DynamoDB Local.
         */
        private static void heldByTheCustomCheck(String table) {
            MutableClock twoMinutesAgo = new MutableClock(Instant.now().minus(Duration.ofMinutes(2)));
            InMemoryCustomChecks custom = new InMemoryCustomChecks();
            custom.givenWait(GatedProd.CUSTOM_CHECK, "canary in staging still at 40%", Duration.ofMinutes(1));
            var config = ConfigLoader.load(Path.of(GatedProd.environment(Map.of(), GatedProd.CUSTOM_CHECK_ONLY).get("GANTRY_CONFIG")));
            GateRecord held = new GateService(config, new DynamoDbGateStore(aws.dynamo, table), new DynamoDbReleaseStore(aws.dynamo, table),
                    new InMemoryAlarmStates(), new InMemoryChangeCalendars(), custom, ApproverGroups.none(), twoMinutesAgo)
                    .evaluate(new GateSubject(GatedProd.RELEASE, GatedProd.IMAGE, "1.4.0", PUSHED_AT, List.of(), GateOrigin.DEPLOY,
                            "6f0d1c2a-5b8e-4c7d-9a41-0e2b7c9d3f10"));
            if (held.status() != GateStatus.WAITING || held.dueAt() == null || held.dueAt().isAfter(Instant.now())) {
                throw new IllegalStateException("the held release is not due for the sweep: " + held);
            }
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            var record = GatedProd.record(aws, environment);
            if (record.isEmpty() || record.get().handoff() == null || !record.get().handoff().startsWith("DEPLOYED")) {
                missing.add("prod's gate record has " + record.map(r -> r.status() + ", hand-off " + r.handoff()).orElse("vanished")
                        + ", not a DEPLOYED hand-off");
            }
            var release = new DynamoDbReleaseStore(aws.dynamo, environment.get("GANTRY_TABLE")).find(GatedProd.RELEASE);
            if (release.isEmpty() || release.get().status() != ReleaseStatus.SERVICE_UPDATED) {
                missing.add("the prod release is " + release.map(r -> r.status().toString()).orElse("not recorded") + ", not SERVICE_UPDATED");
            }
            if (aws.succeeded("UpdateService") == 0) {
                missing.add("the prod service was never updated");
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of("RegisterTaskDefinition", "UpdateService");
        }
    }

    /** The sweep reported the release as not finished: it stays due, and a later sweep is its redelivery. */
    static final class ReleaseStillDue extends Exception {
        ReleaseStillDue(String message) {
            super(message);
        }
    }
}
