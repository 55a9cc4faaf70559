package dev.gantry.reliability.faults;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.EcrTagsWire;
import dev.gantry.aws.JsonProtocolWire;
import dev.gantry.aws.events.EcrImageActionEvent;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.rebuild.BuildRunner;
import dev.gantry.core.rebuild.ImageLabels;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.fn.imagerebuild.HandlersFromEnvironment;
import dev.gantry.fn.imagerebuild.ImageRebuildHandler;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.ReliabilityFigures;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The image-rebuild function with every call it makes failing in turn: the base push that starts its dependents'
 * builds (CodeBuild, CodePipeline, ECR's image labels for a base that is itself a rebuilt child), the end of a build
 * that frees its slot, and every DynamoDB call of the rebuild ledger.
 *
 * <p>A start that fails for good is not a failed invocation here: the function leaves the rebuild pending, with the
 * reason in the ledger and its report, for the resume sweep that runs every five minutes. Such a delivery counts as
 * failed with a reason, and its redelivery is that sweep. A failed invocation is redelivered as Lambda retries an
 * asynchronous event: the same event again, by which time the start lease of the failed attempt has run out.
 */
class ImageRebuildFaultsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCOUNT = "111111111111";
    private static final String REGISTRY = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com";
    private static final String GOLDEN_DIGEST = "sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720";
    private static final String RUNTIME_DIGEST = "sha256:b0ab965fce589f89683a969b58f502be2b104de6735b9519b9cf537604be73c5";
    /** The build id CodeBuild answers, as the Gantry-derived build event names it. */
    private static final String BUILD_UUID = "5d2c7e40-9b1a-4f63-8e07-2a6c4b9d1f58";
    private static final String CHECKOUT_EXECUTION = "2f6d8b1e-4a7c-4e93-b05d-8c3a1f9e7d24";
    private static final String GOLDEN_PUSH = "gantry-ecr-push-golden-java21.json";
    private static final String RUNTIME_PUSH = "gantry-ecr-push-runtime-java.json";
    private static final String BUILD_SUCCEEDED = "gantry-codebuild-build-succeeded-runtime-java-image.json";
    private static final String RESUME_SWEEP = "gantry-scheduled-event-rebuild-resume.json";

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
    void everyDependentIsStartedOnceOrLeftPendingWithAReasonAndTheLedgerSaysSo() throws Exception {
        List<FaultScenario> scenarios = new ArrayList<>(List.of(
                new BasePush(GOLDEN_PUSH, "golden/java21 pushed", GOLDEN_DIGEST, Map.of("runtime-java", "runtime-java-image"), List.of()),
                new BuildFinished()));
        if (ReliabilityFigures.full()) {
            // The second wave: runtime/java is itself a rebuilt child, so its push reads its lineage from ECR's image
            // labels first, and one of its dependents is a pipeline.
            scenarios.add(new BasePush(RUNTIME_PUSH, "runtime/java pushed, built on golden/java21", RUNTIME_DIGEST,
                    Map.of("payments-api-image", "payments-api-image"), List.of("checkout-web-image")));
        }
        warmUp(aws, scenarios);
        FaultCampaign campaign = new FaultCampaign(aws);

        for (FaultScenario scenario : scenarios) {
            campaign.run(scenario);
        }

        assertThat(campaign.record()).isEmpty();
    }

    /**
     * Plays each scenario once, unfaulted and with time to spare, before the campaign: the first call of each kind
     * through the WireMock proxy and into DynamoDB Local can take longer than the functions' short read timeout on a
     * busy machine, and the campaign's clean run must not fail for that.
     */
    static void warmUp(FaultyAws aws, List<FaultScenario> scenarios) {
        for (FaultScenario scenario : scenarios) {
            Map<String, String> environment = aws.freshEnvironment(scenario);
            environment.put("GANTRY_AWS_READ_TIMEOUT_MS", "10000");
            try {
                scenario.invoke(environment);
            } catch (Exception e) {
                // Only the servers' warmth matters here; the campaign judges the scenario.
            }
        }
    }

    /** CodeBuild starting every project as {@code <project>:<BUILD_UUID>}; CodePipeline starting checkout-web-release. */
    static void stubBuildServices(FaultyAws aws) {
        for (String project : List.of("runtime-java-image", "payments-api-image")) {
            aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.StartBuild"))
                    .withRequestBody(matchingJsonPath("$.projectName", equalTo(project)))
                    .willReturn(json("{\"build\":{\"id\":\"" + project + ":" + BUILD_UUID + "\",\"projectName\":\"" + project
                            + "\",\"buildStatus\":\"IN_PROGRESS\"}}")));
        }
        // A start a fault kept from answering took no effect here, so a later attempt that looks finds no build of it.
        aws.server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("CodeBuild_20161006.ListBuildsForProject"))
                .willReturn(json("{\"ids\":[]}")));
        aws.server.stubFor(JsonProtocolWire.CODEPIPELINE.operation("StartPipelineExecution")
                .withRequestBody(matchingJsonPath("$.name", equalTo("checkout-web-release")))
                .willReturn(json("{\"pipelineExecutionId\":\"" + CHECKOUT_EXECUTION + "\"}")));
    }

    /**
     * ECR holding runtime/java at {@code RUNTIME_DIGEST}, whose image configuration says it was built FROM golden/java21
     * at {@code GOLDEN_DIGEST}: the manifest through BatchGetImage, the configuration through the URL
     * GetDownloadUrlForLayer hands out, here a path on the same server.
     */
    static void stubRuntimeImageLabels(FaultyAws aws) {
        try {
            byte[] configuration = JSON.writeValueAsBytes(Map.of(
                    "architecture", "amd64", "os", "linux",
                    "config", Map.of("Labels", Map.of(ImageLabels.BASE_NAME, REGISTRY + "/golden/java21:latest",
                            ImageLabels.BASE_DIGEST, GOLDEN_DIGEST)),
                    "rootfs", Map.of("type", "layers", "diff_ids", List.of())));
            String configDigest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(configuration));
            String mediaType = "application/vnd.docker.distribution.manifest.v2+json";
            String manifest = JSON.writeValueAsString(Map.of("schemaVersion", 2, "mediaType", mediaType,
                    "config", Map.of("mediaType", "application/vnd.docker.container.image.v1+json", "size", configuration.length,
                            "digest", configDigest),
                    "layers", List.of()));
            aws.server.stubFor(JsonProtocolWire.ECR.operation("BatchGetImage").willReturn(json(JSON.writeValueAsString(Map.of(
                    "images", List.of(Map.of("registryId", ACCOUNT, "repositoryName", "runtime/java",
                            "imageId", Map.of("imageDigest", RUNTIME_DIGEST), "imageManifest", manifest, "imageManifestMediaType", mediaType)),
                    "failures", List.of())))));
            aws.server.stubFor(JsonProtocolWire.ECR.operation("GetDownloadUrlForLayer").willReturn(json(JSON.writeValueAsString(Map.of(
                    "downloadUrl", aws.endpoint() + "/blobs/" + configDigest, "layerDigest", configDigest)))));
            aws.server.stubFor(get(urlPathEqualTo("/blobs/" + configDigest)).willReturn(aResponse().withStatus(200).withBody(configuration)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static Map<String, String> rebuildEnvironment(Map<String, String> environment) {
        Map<String, String> rebuild = new HashMap<>(environment);
        rebuild.put("GANTRY_REGISTRY_ACCOUNT", ACCOUNT);
        return rebuild;
    }

    /** One function instance per environment: a redelivery mostly meets the warm instance that failed it. */
    private static final WarmHandler<ImageRebuildHandler> FUNCTION = new WarmHandler<>(
            environment -> HandlersFromEnvironment.imageRebuild(rebuildEnvironment(environment)));

    static JsonNode invoke(Map<String, String> environment, String event) throws IOException {
        RequestStreamHandler handler = FUNCTION.of(environment);
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)), output,
                new LocalContext("gantry-image-rebuild", 60_000));
        return JSON.readTree(output.toByteArray());
    }

    private static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }

    /**
     * Plays "time has passed" for a redelivery: a start lease left by a failed attempt (90 s) has run out by the time
     * Lambda retries the event or the sweep runs, so the ledger's STARTING records are given a lease that ended.
     */
    static void leasesRanOut(RebuildLedger ledger, List<RebuildKey> keys) {
        Instant past = Instant.now().minusSeconds(1);
        for (RebuildKey key : keys) {
            ledger.find(key).filter(r -> r.status() == RebuildStatus.STARTING && r.leaseUntil() != null && r.leaseUntil().isAfter(past))
                    .ifPresent(r -> ledger.replace(new Rebuild(r.key(), r.baseRepository(), r.baseImage(), r.target(), r.produces(), r.root(),
                            r.wave(), r.status(), r.buildId(), r.attempts(), r.reason(), past, r.trigger(), r.createdAt(), past,
                            r.version() + 1)));
        }
    }

    /** The report's outcomes a delivery left waiting for the sweep, as "dependent: note". */
    static List<String> leftPending(JsonNode report) {
        return StreamSupport.stream(report.path("outcomes").spliterator(), false)
                .filter(o -> "DEFERRED".equals(o.path("action").asText()) || "QUEUED".equals(o.path("action").asText()))
                .map(o -> o.path("dependent").asText() + ": " + o.path("detail").asText())
                .toList();
    }

    /**
     * A base image pushed: each dependent's build or pipeline started exactly once, the ledger STARTED with that build.
     *
     * @param projects the dependents built by CodeBuild, by dependent name, with their project
     * @param pipelines the dependents built by a pipeline
     */
    private static final class BasePush implements FaultScenario {

        private final String eventFile;
        private final String name;
        private final ImageDigest baseDigest;
        private final Map<String, String> projects;
        private final List<String> pipelines;
        private final Set<String> sweepDue = new HashSet<>();

        BasePush(String eventFile, String name, String baseDigest, Map<String, String> projects, List<String> pipelines) {
            this.eventFile = eventFile;
            this.name = name;
            this.baseDigest = ImageDigest.parse(baseDigest);
            this.projects = projects;
            this.pipelines = pipelines;
        }

        @Override
        public String name() {
            return "image-rebuild: " + name;
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubBuildServices(aws);
            stubRuntimeImageLabels(aws);
            EcrTagsWire.asTheSampleBasePushesLeftThem(aws.server);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            DynamoDbRebuildLedger ledger = new DynamoDbRebuildLedger(aws.dynamo, table);
            boolean redelivery = sweepDue.contains(table) || !ledger.find(keys().get(0)).isEmpty();
            if (redelivery) {
                leasesRanOut(ledger, keys());
            }
            JsonNode report = ImageRebuildFaultsIT.invoke(environment, Fixtures.eventText(sweepDue.contains(table) ? RESUME_SWEEP : eventFile));
            List<String> pending = leftPending(report);
            if (!pending.isEmpty()) {
                sweepDue.add(table);
                throw new LeftForTheSweep("the invocation succeeded but left rebuilds pending for the resume sweep: " + pending);
            }
        }

        private List<RebuildKey> keys() {
            List<RebuildKey> keys = new ArrayList<>();
            projects.keySet().forEach(dependent -> keys.add(new RebuildKey(dependent, baseDigest, RebuildKey.ON_NEW_BASE)));
            pipelines.forEach(dependent -> keys.add(new RebuildKey(dependent, baseDigest, RebuildKey.ON_NEW_BASE)));
            return keys;
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            DynamoDbRebuildLedger ledger = new DynamoDbRebuildLedger(aws.dynamo, environment.get("GANTRY_TABLE"));
            for (RebuildKey key : keys()) {
                var rebuild = ledger.find(key);
                if (rebuild.isEmpty() || rebuild.get().status() != RebuildStatus.STARTED || rebuild.get().buildId() == null) {
                    missing.add("the rebuild of " + key.dependent() + " is " + rebuild.map(r -> r.status() + " (" + r.reason() + ")")
                            .orElse("not in the ledger") + ", not STARTED with its build");
                }
            }
            if (aws.succeeded("StartBuild") < projects.size()) {
                missing.add("CodeBuild started " + aws.succeeded("StartBuild") + " of " + projects.size() + " builds");
            }
            if (aws.succeeded("StartPipelineExecution") < pipelines.size()) {
                missing.add("CodePipeline started " + aws.succeeded("StartPipelineExecution") + " of " + pipelines.size() + " executions");
            }
            int inFlight = ledger.inFlightCount();
            if (inFlight != keys().size()) {
                missing.add(inFlight + " build slots are held, not " + keys().size());
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return pipelines.isEmpty() ? List.of("StartBuild") : List.of("StartBuild", "StartPipelineExecution");
        }
    }

    /**
     * runtime-java-image's build succeeded after golden/java21's push started it: the rebuild is SUCCEEDED and its slot
     * freed, once however often the event comes. The ledger is what the push left, written straight to DynamoDB.
     */
    private static final class BuildFinished implements FaultScenario {

        private static final RebuildKey KEY = new RebuildKey("runtime-java", ImageDigest.parse(GOLDEN_DIGEST), RebuildKey.ON_NEW_BASE);
        private final Set<String> seeded = new HashSet<>();

        @Override
        public String name() {
            return "image-rebuild: runtime-java-image build succeeded";
        }

        @Override
        public void stubServices(FaultyAws aws) {
            stubBuildServices(aws);
        }

        @Override
        public void invoke(Map<String, String> environment) throws Exception {
            String table = environment.get("GANTRY_TABLE");
            DynamoDbRebuildLedger ledger = new DynamoDbRebuildLedger(aws.dynamo, table);
            if (seeded.add(table)) {
                RebuildService pushed = new RebuildService(ConfigLoader.load(Path.of(environment.get("GANTRY_CONFIG"))), ledger,
                        new StartsAsCodeBuildAnswers(), new InMemoryImageLabels(), new InMemoryImageRegistry(), ACCOUNT, "eu-west-1",
                        Clock.systemUTC());
                pushed.onImagePush(EcrImageActionEvent.parse(new ByteArrayInputStream(
                        Fixtures.eventText(GOLDEN_PUSH).getBytes(StandardCharsets.UTF_8))));
            } else {
                leasesRanOut(ledger, List.of(KEY));
            }
            ImageRebuildFaultsIT.invoke(environment, Fixtures.eventText(BUILD_SUCCEEDED));
        }

        @Override
        public List<String> missing(FaultyAws aws, Map<String, String> environment) {
            List<String> missing = new ArrayList<>();
            DynamoDbRebuildLedger ledger = new DynamoDbRebuildLedger(aws.dynamo, environment.get("GANTRY_TABLE"));
            var rebuild = ledger.find(KEY);
            if (rebuild.isEmpty() || rebuild.get().status() != RebuildStatus.SUCCEEDED) {
                missing.add("the rebuild of runtime-java is " + rebuild.map(r -> r.status().toString()).orElse("not in the ledger")
                        + ", not SUCCEEDED");
            }
            int inFlight = ledger.inFlightCount();
            if (inFlight != 0) {
                missing.add(inFlight + " build slots are still held, not 0");
            }
            return missing;
        }

        @Override
        public List<String> exactlyOnce() {
            return List.of();
        }
    }

    /** Starts each build under the id the stubbed CodeBuild answers, {@code <project>:<BUILD_UUID>}; no earlier build exists. */
    private static final class StartsAsCodeBuildAnswers implements BuildRunner {

        @Override
        public String start(BuildTarget target, Map<String, String> variables, String idempotencyToken) {
            return target.name() + ":" + BUILD_UUID;
        }

        @Override
        public Optional<StartedBuild> findStarted(BuildTarget target, String idempotencyToken, Instant since) {
            return Optional.empty();
        }
    }

    /** A delivery whose function succeeded, leaving its rebuilds pending: the sweep is what delivers them again. */
    static final class LeftForTheSweep extends Exception {
        LeftForTheSweep(String message) {
            super(message);
        }
    }
}
