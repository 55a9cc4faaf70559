package dev.gantry.core.chatops;

import static dev.gantry.core.chatops.ChatOpsWorld.CONFIG;
import static dev.gantry.core.chatops.ChatOpsWorld.DEV;
import static dev.gantry.core.chatops.ChatOpsWorld.GROUPS;
import static dev.gantry.core.chatops.ChatOpsWorld.REGISTRY;
import static dev.gantry.core.chatops.ChatOpsWorld.digest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.ReleaseNews.DeployStarted;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.testing.RecordingNotifier;
import org.junit.jupiter.api.Test;

/** A deploy started from Slack is told in its release's thread, as the ChatOps worker wires its deploy service. */
class ChatOpsDeployNewsTest {

    private static final ImageDigest D140 = digest("a1");

    private final ChatOpsWorld world = new ChatOpsWorld();
    private final RecordingNotifier notifier = new RecordingNotifier();
    private final ChatOpsService chatOps = ChatOpsService.builder()
            .config(CONFIG).clock(world.clock).groups(GROUPS).ledger(world.ledger).audit(world.audit)
            .deploys(world.deploys.withReportListener(new DeployNews(CONFIG, world.releases, notifier, world.clock)::afterDeploy))
            .controls(world.controls).releases(world.releases).registry(world.registry).rebuilds(world.rebuilds)
            .gates(world.gates, world.gateStore).freezes(world.freezes).pendingApprovals(world.pending).pipelineApprovals(world.pipelines)
            .build();

    @Test
    void tellsADeployFromSlackAsStartedInTheReleasesThread() {
        // given
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);

        // when
        chatOps.handle(world.command(DEV, "deploy payments-api 1.4.0 staging"));

        // then
        assertThat(notifier.told()).singleElement().isInstanceOfSatisfying(DeployStarted.class, started -> {
            assertThat(started.thread()).isEqualTo(ThreadKey.release("payments-api", D140));
            assertThat(started.environment()).isEqualTo("staging");
            assertThat(started.tag()).isEqualTo("1.4.0");
            assertThat(started.previousTag()).isEqualTo("1.3.0");
            assertThat(started.changes()).containsExactly("app: payments-api:1.3.0 -> payments-api:1.4.0@sha256:a1a1a1a1a1a1");
            assertThat(started.cluster()).isEqualTo("staging");
            assertThat(started.at()).isEqualTo(world.clock.instant());
        });
    }

    @Test
    void tellsNothingOfADeployThatChangedNothing() {
        // given
        world.registry.givenTag(REGISTRY + "/payments-api:1.4.0", D140);
        chatOps.handle(world.command(DEV, "deploy payments-api 1.4.0 staging"));

        // when
        chatOps.handle(world.command(DEV, "deploy payments-api 1.4.0 staging"));

        // then
        assertThat(notifier.told(DeployStarted.class)).hasSize(1);
    }
}
