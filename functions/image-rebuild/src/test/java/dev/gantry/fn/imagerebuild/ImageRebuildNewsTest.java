package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.notify.ReleaseNews.RebuildChanged;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingNotifier;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the image-rebuild handler tells the base image's rebuild thread, over in-memory adapters and the sample events. */
class ImageRebuildNewsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The digest {@code gantry-ecr-push-golden-java21.json} pushes. */
    private static final ImageDigest GOLDEN = new ImageDigest("sha256:f8d12a184946dc448a204f10aa8d1f19ba23405f1b8a026e613ec92efb0a2720");
    /** The digest {@code gantry-ecr-push-runtime-java.json} pushes. */
    private static final ImageDigest RUNTIME_PUSHED = new ImageDigest("sha256:b0ab965fce589f89683a969b58f502be2b104de6735b9519b9cf537604be73c5");

    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final InMemoryBuildRunner builds = new InMemoryBuildRunner();
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    private final InMemoryImageLabels labels = new InMemoryImageLabels();
    private final RebuildService rebuilds = new RebuildService(Fixtures.exampleConfig(), new InMemoryRebuildLedger(), builds,
            labels, registry, "111111111111", "eu-west-1", clock);

    @Test
    void tellsTheRebuildsANewBaseImageStarted() throws Exception {
        ImageRebuildHandler handler = new ImageRebuildHandler(rebuilds, image -> image, notifier, clock);

        JsonNode report = invoke(handler, "gantry-ecr-push-golden-java21.json");

        assertThat(report.at("/result").asText()).isEqualTo("REBUILDING");
        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(RebuildChanged.class, rebuild -> {
            assertThat(rebuild.thread()).isEqualTo(ThreadKey.rebuild("golden/java21", GOLDEN));
            assertThat(rebuild.baseName()).isEqualTo("golden/java21");
            assertThat(rebuild.baseDigest()).isEqualTo(GOLDEN);
            assertThat(rebuild.wave()).isEqualTo(1);
            assertThat(rebuild.summary()).isEqualTo("golden/java21 sha256:f8d12a184946 -> rebuilding 3 images, wave 1 of 2");
            assertThat(rebuild.at()).isEqualTo(clock.instant());
            assertThat(rebuild.dependents()).singleElement().satisfies(dependent -> {
                assertThat(dependent.name()).isEqualTo("runtime-java");
                assertThat(dependent.status()).isEqualTo("STARTED");
                assertThat(dependent.buildId()).isEqualTo(builds.starts().getFirst().buildId());
            });
        });
    }

    @Test
    void tellsTheRebuildsANewerBaseSupersededInTheThreadOfTheOlderBase() throws Exception {
        ImageDigest older = new ImageDigest("sha256:" + "0123456789ab".repeat(5) + "0123");
        registry.givenTag("111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21:latest", older);
        // The account runs no more builds, so the older base's rebuild is still waiting when the newer base is pushed.
        builds.givenAccountLimit(0);
        ImageRebuildHandler handler = new ImageRebuildHandler(rebuilds, image -> image, notifier, clock);
        invoke(handler, "gantry-scheduled-rebuild-golden-java21.json");
        clock.advance(Duration.ofMinutes(1));
        registry.givenTag("111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21:latest", GOLDEN);

        invoke(handler, "gantry-ecr-push-golden-java21.json");

        assertThat(notifier.told()).hasSize(3).element(2).isInstanceOfSatisfying(RebuildChanged.class, rebuild -> {
            assertThat(rebuild.thread()).isEqualTo(ThreadKey.rebuild("golden/java21", older));
            assertThat(rebuild.dependents()).singleElement().satisfies(dependent -> {
                assertThat(dependent.name()).isEqualTo("runtime-java");
                assertThat(dependent.status()).isEqualTo("SUPERSEDED");
                assertThat(dependent.line()).isEqualTo("runtime-java (codebuild runtime-java-image): superseded by the newer base "
                        + "golden/java21 sha256:f8d12a184946: not started");
                assertThat(dependent.notRebuiltBelow()).isEqualTo(2);
                assertThat(dependent.notRebuiltBecause()).isEqualTo("their base image's rebuild was superseded");
            });
        });
        assertThat(notifier.told().get(1)).isInstanceOfSatisfying(RebuildChanged.class, rebuild -> {
            assertThat(rebuild.thread()).isEqualTo(ThreadKey.rebuild("golden/java21", GOLDEN));
            assertThat(rebuild.dependents()).extracting(RebuildChanged.Dependent::status).containsExactly("PENDING");
        });
    }

    @Test
    void tellsTheOlderBasesThreadThatItsRebuiltImagesPushContinuesNoCascade() throws Exception {
        ImageDigest older = new ImageDigest("sha256:" + "0123456789ab".repeat(5) + "0123");
        registry.givenTag("111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21:latest", older);
        ImageRebuildHandler handler = new ImageRebuildHandler(rebuilds, image -> image, notifier, clock);
        invoke(handler, "gantry-scheduled-rebuild-golden-java21.json");
        clock.advance(Duration.ofMinutes(1));
        registry.givenTag("111111111111.dkr.ecr.eu-west-1.amazonaws.com/golden/java21:latest", GOLDEN);
        invoke(handler, "gantry-ecr-push-golden-java21.json");
        labels.givenBuiltOn("runtime/java", RUNTIME_PUSHED.value(), "golden/java21", older.value());
        int toldBefore = notifier.told().size();

        JsonNode report = invoke(handler, "gantry-ecr-push-runtime-java.json");

        assertThat(report.at("/result").asText()).isEqualTo("IGNORED");
        assertThat(notifier.told().subList(toldBefore, notifier.told().size())).singleElement().isInstanceOfSatisfying(RebuildChanged.class, rebuild -> {
            assertThat(rebuild.thread()).isEqualTo(ThreadKey.rebuild("golden/java21", older));
            assertThat(rebuild.images()).isEqualTo(3);
            assertThat(rebuild.dependents()).singleElement().satisfies(dependent -> {
                assertThat(dependent.name()).isEqualTo("runtime-java");
                assertThat(dependent.notRebuiltBelow()).isEqualTo(2);
                assertThat(dependent.notRebuiltBecause()).isEqualTo("their base image is rebuilt on a newer digest of its base");
            });
        });
    }

    @Test
    void tellsNothingOfAnEventThatRebuiltNothing() throws Exception {
        ImageRebuildHandler handler = new ImageRebuildHandler(rebuilds, image -> image, notifier, clock);

        JsonNode report = invoke(handler, "gantry-ecr-push-payments-api-1.4.0.json");

        assertThat(report.at("/result").asText()).isEqualTo("IGNORED");
        assertThat(notifier.told()).isEmpty();
    }

    @Test
    void aNotifierThatFailsDoesNotFailTheRebuildsItWouldTell() throws Exception {
        Notifier broken = news -> {
            throw new IllegalStateException("queue unreachable");
        };
        ImageRebuildHandler handler = new ImageRebuildHandler(rebuilds, image -> image, broken, clock);

        JsonNode report = invoke(handler, "gantry-ecr-push-golden-java21.json");

        assertThat(report.at("/result").asText()).isEqualTo("REBUILDING");
        assertThat(builds.starts()).hasSize(1);
    }

    @Test
    void sendsNothingWhenNoNotifyQueueIsConfigured() {
        Map<String, String> environment = Map.of(ConfigLoader.CONFIG_ENV, Fixtures.exampleConfigFile().toString(),
                DynamoDbReleaseStore.TABLE_ENV, "gantry", ImageRebuildWiring.REGISTRY_ACCOUNT_ENV, "111111111111",
                AwsClients.REGION_ENV, "eu-west-1");
        Map<String, String> withQueue = new HashMap<>(environment);
        withQueue.put(SqsNotifier.QUEUE_URL_ENV, "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo");

        assertThat(ImageRebuildWiring.fromEnvironment(environment).notifier()).isSameAs(Notifier.NONE);
        assertThat(ImageRebuildWiring.fromEnvironment(withQueue).notifier()).isInstanceOf(SqsNotifier.class);
    }

    private static JsonNode invoke(ImageRebuildHandler handler, String eventFile) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Fixtures.event(eventFile))) {
            handler.handleRequest(in, out, new LocalContext("gantry-image-rebuild", 60_000));
        }
        return JSON.readTree(out.toByteArray());
    }
}
