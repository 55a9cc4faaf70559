package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import dev.gantry.aws.CloudWatchWire;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.EcsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateState;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseKey;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * payments-api's prod environment behind a gate that passes when the services its checks read answer: the
 * configurations, the services as they answer when healthy, and the one way the gate's tests move time on.
 */
final class GatedProd {

    static final String DIGEST = EcsDeployFaultsIT.DIGEST;
    static final ReleaseKey RELEASE = new ReleaseKey("payments-api", "prod", new ImageDigest(DIGEST));
    static final String IMAGE = EcsDeployFaultsIT.REGISTRY + "/payments-api@" + DIGEST;
    static final String RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:17";
    static final String NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-prod:18";
    static final String SERVICE_ARN = "arn:aws:ecs:eu-west-1:111111111111:service/prod/payments-api";
    /** The revision the lifecycle-hook samples name. */
    static final String REVISION_ARN = "arn:aws:ecs:eu-west-1:111111111111:service-revision/prod/payments-api/5146209837166290472";
    static final String CUSTOM_CHECK = "release-check";

    private GatedProd() {}

    /** A gate of three checks, each reading another service: an alarm, a change calendar and a custom check on Lambda. */
    static final String THREE_CHECKS = "gantry-gated-prod.yml";
    /** A gate of one check: the custom check on Lambda. */
    static final String CUSTOM_CHECK_ONLY = "gantry-gated-prod-custom-check.yml";

    /** {@code environment} with {@code configuration}, one of this class's, in place of the example one. */
    static Map<String, String> environment(Map<String, String> environment, String configuration) {
        Map<String, String> gated = new HashMap<>(environment);
        try {
            gated.put("GANTRY_CONFIG", Path.of(GatedProd.class.getResource(configuration).toURI()).toString());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return gated;
    }

    /** Every check either configuration has, each answering that nothing stands in the way. */
    static void stubChecksPassing(FaultyAws aws) {
        aws.server.stubFor(CloudWatchWire.describeAlarms().willReturn(CloudWatchWire.metricAlarms(CloudWatchWire.metricAlarm(
                "payments-api-5xx", "OK", "Threshold Crossed: no datapoints were greater than the threshold (5.0).",
                "2026-03-04T08:00:00.000Z"))));
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("AmazonSSM.GetCalendarState"))
                .willReturn(JsonProtocolWire.json("""
                        {"State":"OPEN","AtTime":"2026-03-04T10:00:00Z","NextTransitionTime":"2099-12-20T00:00:00Z"}""")));
        aws.server.stubFor(post(urlPathEqualTo("/2015-03-31/functions/" + CUSTOM_CHECK + "/invocations"))
                .willReturn(okJson("{\"status\":\"pass\",\"reason\":\"no open incident\"}")));
    }

    /** The prod service, running 1.3.0, as ECS describes it and takes the new revision. */
    static void stubService(FaultyAws aws) {
        aws.server.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/prod",
                  "status":"ACTIVE","taskDefinition":"%1$s",
                  "deployments":[{"status":"PRIMARY","taskDefinition":"%1$s"}]}],"failures":[]}""".formatted(RUNNING_ARN))));
        aws.server.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-prod","revision":17,"status":"ACTIVE",
                  "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                  "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"1024","memory":"2048",
                  "containerDefinitions":[{"name":"app","image":"%s/payments-api:1.3.0","essential":true}]},
                 "tags":[{"key":"service","value":"payments-api"}]}""".formatted(RUNNING_ARN, EcsDeployFaultsIT.REGISTRY))));
        aws.server.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + NEW_ARN + "\",\"revision\":18}}")));
        aws.server.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json(
                "{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + NEW_ARN + "\"}}")));
        aws.server.stubFor(EcsWire.operation("ListTaskDefinitions").willReturn(EcsWire.json(
                "{\"taskDefinitionArns\":[\"" + RUNNING_ARN + "\",\"" + NEW_ARN + "\"]}")));
    }

    /** ECS describing the revision the hook samples name: the app container resolved to {@link #DIGEST}. */
    static void stubRevision(FaultyAws aws) {
        aws.server.stubFor(EcsWire.operation("DescribeServiceRevisions").willReturn(EcsWire.json("""
                {"serviceRevisions":[{"serviceRevisionArn":"%s","serviceArn":"%s",
                  "clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/prod","taskDefinition":"%s",
                  "launchType":"FARGATE","platformVersion":"1.4.0","platformFamily":"Linux",
                  "containerImages":[{"containerName":"app","imageDigest":"%s","image":"%s/payments-api:1.4.0"}],
                  "createdAt":1.7726184E9}],
                 "failures":[]}""".formatted(REVISION_ARN, SERVICE_ARN, NEW_ARN, DIGEST, EcsDeployFaultsIT.REGISTRY))));
    }

    static Optional<GateRecord> record(FaultyAws aws, Map<String, String> environment) {
        return new DynamoDbGateStore(aws.dynamo, environment.get("GANTRY_TABLE")).find(RELEASE);
    }

    /** What is missing from prod's gate record having passed the release. */
    static List<String> missingFromPassedGate(FaultyAws aws, Map<String, String> environment) {
        Optional<GateRecord> record = record(aws, environment);
        if (record.isEmpty() || record.get().status() != GateStatus.PASSED) {
            return List.of("prod's gate record is " + record.map(r -> r.status() + " (" + r.reason() + ")").orElse("missing") + ", not PASSED");
        }
        return List.of();
    }

    /**
     * Moves the release's gate record on to the moment it is next due: the gate's next look, or the sweep's due time.
     * The functions run on the system clock, so instead of waiting a minute, each instant the record keeps is moved
     * back by what remains of the wait, as if that time had passed. The next caller (the continuation job, ECS asking
     * again, the next sweep) then comes when the record says it should. A record that waits for nothing is left alone.
     */
    static void nextLookIsDue(FaultyAws aws, Map<String, String> environment) {
        DynamoDbGateStore store = new DynamoDbGateStore(aws.dynamo, environment.get("GANTRY_TABLE"));
        Optional<GateRecord> found = store.find(RELEASE);
        if (found.isEmpty()) {
            return;
        }
        GateRecord current = found.get();
        Instant due = current.dueAt();
        if (due == null && !current.status().decided() && current.lastEvaluatedAt() != null) {
            Instant byInterval = current.lastEvaluatedAt().plus(GateConfig.DEFAULT_INTERVAL);
            due = current.nextLook() != null && current.nextLook().isBefore(byInterval) ? current.nextLook() : byInterval;
        }
        Instant now = Instant.now();
        if (due == null || !due.isAfter(now)) {
            return;
        }
        Duration wait = Duration.between(now, due);
        GateState state = new GateState(earlier(current.state().passingSince(), wait), earlier(current.state().waitingSince(), wait));
        GateRecord moved = new GateRecord(current.key(), current.gate(), current.origin(), current.image(), current.tag(),
                current.pushedAt(), current.triggeredBy(), current.status(), current.reason(), state, earlier(current.nextLook(), wait),
                earlier(current.lastEvaluatedAt(), wait), earlier(current.dueAt(), wait), current.decisions(), current.evaluations(),
                current.handoff(), earlier(current.createdAt(), wait), earlier(current.updatedAt(), wait), current.version() + 1,
                current.arrival(), current.pipelineExecution(),
                current.executionPasses().stream()
                        .map(pass -> new GateRecord.ExecutionPass(pass.execution(), earlier(pass.at(), wait), pass.triggeredBy()))
                        .toList());
        if (!store.replace(moved)) {
            throw new IllegalStateException("gate record " + RELEASE.id() + " changed while the test moved it on");
        }
    }

    private static Instant earlier(Instant instant, Duration by) {
        return instant == null ? null : instant.minus(by);
    }
}
