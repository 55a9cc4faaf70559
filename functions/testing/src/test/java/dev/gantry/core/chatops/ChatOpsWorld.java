package dev.gantry.core.chatops;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.notify.ThreadKey;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryAuditLog;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryChatRequestLedger;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryDeployControls;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryManualFreezes;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingPipelineApprovals;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One Gantry wired for ChatOps over in-memory fakes: payments-api in staging and a gated prod, checkout-web in staging
 * without permissions, and a base image. People:
 * <ul>
 *   <li>{@link #DEV}: may deploy to staging; pushes as dev@example.com; one of the gate's approvers</li>
 *   <li>{@link #OPS}: may do everything in payments-api's environments, rebuild, and decide pipeline approvals</li>
 *   <li>{@link #APPROVER_1}, {@link #APPROVER_2}: the gate's approvers by id; {@link #GROUP_APPROVER} by group</li>
 *   <li>{@link #STRANGER}: in the workspace, named nowhere</li>
 * </ul>
 */
final class ChatOpsWorld {

    static final String TEAM = "T0GANTRY1";
    static final String APP = "A0GANTRY1";
    static final String DEV = "U0DEV0001";
    static final String TEAMMATE = "U0DEVTEAM2";
    static final String OPS = "U0OPS0001";
    static final String APPROVER_1 = "U0APPR001";
    static final String APPROVER_2 = "U0APPR002";
    static final String GROUP_APPROVER = "U0APPR003";
    static final String REVIEWER = "U0REVIEW1";
    static final String STRANGER = "U0STRANGE";
    static final String ACCOUNT = "111111111111";
    static final String REGISTRY = ACCOUNT + ".dkr.ecr.eu-west-1.amazonaws.com";
    static final EcsServiceRef STAGING = new EcsServiceRef(ACCOUNT, "eu-west-1", "staging", "payments-api");
    static final EcsServiceRef PROD = new EcsServiceRef(ACCOUNT, "eu-west-1", "prod", "payments-api");
    static final EcsServiceRef CHECKOUT_STAGING = new EcsServiceRef(ACCOUNT, "eu-west-1", "staging", "checkout-web");

    static final GantryConfig CONFIG = ConfigLoader.parse("""
            version: 1
            slack:
              defaultChannel: "#releases"
              teamId: T0GANTRY1
              appId: A0GANTRY1
              people:
                U0DEV0001: [dev@example.com]
              permissions:
                rebuild: [U0OPS0001]
                pipelineApprovals: [U0OPS0001, S0REVIEWRS]
            baseImages:
              - name: golden-java21
                repository: golden/java21
                dependents:
                  - { name: payments-api-image, codebuild: payments-api-image, produces: payments-api }
            services:
              - name: payments-api
                repository: payments-api
                tagPolicy: { semver: ">=1.0.0 <2.0.0" }
                environments:
                  - name: staging
                    account: "111111111111"
                    region: eu-west-1
                    cluster: staging
                    service: payments-api
                    permissions:
                      deploy: [U0DEV0001, S0DEVTEAM, U0OPS0001]
                      rollback: [U0OPS0001]
                      pin: [U0OPS0001]
                      veto: [U0OPS0001]
                      freeze: [U0OPS0001]
                  - name: prod
                    account: "111111111111"
                    region: eu-west-1
                    cluster: prod
                    service: payments-api
                    gate: production
                    permissions:
                      deploy: [U0OPS0001]
                      rollback: [U0OPS0001]
                      pin: [U0OPS0001]
                      veto: [U0OPS0001]
                      freeze: [U0OPS0001]
              - name: checkout-web
                repository: checkout-web
                tagPolicy: { glob: "release-*" }
                environments:
                  - { name: staging, account: "111111111111", region: eu-west-1, cluster: staging, service: checkout-web }
            gates:
              - name: production
                approvals: { required: 2, users: [U0APPR001, U0APPR002, U0DEV0001], groups: [S0APPROVE], expiresAfter: 1h }
                freezes:
                  - { from: 2026-12-22T00:00:00Z, until: 2027-01-04T00:00:00Z }
                timeout: 4h
            """, "gantry.yml");

    static final ApproverGroups GROUPS = groupIds -> {
        Map<String, Set<String>> all = Map.of("S0DEVTEAM", Set.of(TEAMMATE), "S0APPROVE", Set.of(GROUP_APPROVER), "S0REVIEWRS",
                Set.of(REVIEWER));
        Map<String, Set<String>> found = new HashMap<>();
        groupIds.forEach(id -> {
            if (all.containsKey(id)) {
                found.put(id, all.get(id));
            }
        });
        return found;
    };

    final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    final InMemoryEcsGateway ecs = new InMemoryEcsGateway();
    final InMemoryReleaseStore releases = new InMemoryReleaseStore();
    final InMemoryDeployControls controls = new InMemoryDeployControls();
    final InMemoryGateStore gateStore = new InMemoryGateStore();
    final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    final InMemoryManualFreezes freezes = new InMemoryManualFreezes();
    final InMemoryPendingApprovals pending = new InMemoryPendingApprovals();
    final RecordingPipelineApprovals pipelines = new RecordingPipelineApprovals();
    final InMemoryChatRequestLedger ledger = new InMemoryChatRequestLedger();
    final InMemoryAuditLog audit = new InMemoryAuditLog();
    final InMemoryBuildRunner builds = new InMemoryBuildRunner();
    final RecordingChat chat = new RecordingChat();
    final GateService gates = new GateService(CONFIG, gateStore, releases, new InMemoryAlarmStates(), new InMemoryChangeCalendars(),
            new InMemoryCustomChecks(), GROUPS, clock).withManualFreezes(freezes);
    final DeployService deploys = new DeployService(CONFIG, ecs, releases, controls, clock).withGates(gates);
    final RebuildService rebuilds = new RebuildService(CONFIG, new InMemoryRebuildLedger(), builds, new InMemoryImageLabels(), registry,
            ACCOUNT, "eu-west-1", clock);
    final ChatPermissions permissions = new ChatPermissions(CONFIG, GROUPS);
    final ChatOpsService chatOps = ChatOpsService.builder()
            .config(CONFIG).clock(clock).groups(GROUPS).ledger(ledger).audit(audit).deploys(deploys).controls(controls)
            .releases(releases).registry(registry).rebuilds(rebuilds).gates(gates, gateStore).freezes(freezes)
            .pendingApprovals(pending).pipelineApprovals(pipelines)
            .build();
    final ApprovalRequests approvalRequests = new ApprovalRequests(CONFIG, pending, chat, permissions, clock);
    final EndedApprovals endedApprovals = new EndedApprovals(CONFIG, pending, gateStore, chat, permissions);

    private final AtomicInteger triggers = new AtomicInteger();

    ChatOpsWorld() {
        for (EcsServiceRef ref : List.of(STAGING, PROD)) {
            ecs.givenService(ref, "payments-api-" + ref.cluster(), List.of(new ContainerImage("app", REGISTRY + "/payments-api:1.3.0")));
        }
        ecs.givenService(CHECKOUT_STAGING, "checkout-web-staging", List.of(new ContainerImage("web", REGISTRY + "/checkout-web:release-1")));
    }

    static ImageDigest digest(String seed) {
        return ImageDigest.parse("sha256:" + seed.repeat(64 / seed.length()));
    }

    /** A command from {@code userId} in the expected workspace, with a new trigger id. */
    ChatCommand command(String userId, String text) {
        return command(userId, text, "trigger-" + triggers.incrementAndGet());
    }

    ChatCommand command(String userId, String text, String triggerId) {
        return new ChatCommand(TEAM, APP, userId, userId.toLowerCase(), "/gantry", text, "https://hooks.slack.com/commands/T0GANTRY1/1/x",
                triggerId, "C0RELEASES");
    }

    /** A click on the card of the approval {@code value} names, as Slack sends it from that card's message. */
    ChatAction click(String userId, String actionId, String value) {
        PendingApproval card = value == null ? null : pending.find(value).filter(p -> p.messageTs() != null).orElse(null);
        return card == null ? clickOn("C0RELEASES", "1795428000.000100", userId, actionId, value)
                : clickOn(card.channelId(), card.messageTs(), userId, actionId, value);
    }

    /** A click on the message at {@code channelId}/{@code messageTs}, whatever its button's value names. */
    ChatAction clickOn(String channelId, String messageTs, String userId, String actionId, String value) {
        return new ChatAction(TEAM, APP, userId, actionId, value, "https://hooks.slack.com/actions/T0GANTRY1/1/x",
                "trigger-" + triggers.incrementAndGet(), channelId, messageTs);
    }

    /** payments-api {@code tag} at {@code digest} waits at prod's gate, pushed by dev@example.com. */
    GateRecord waitingAtProd(String tag, ImageDigest digest) {
        return gates.evaluate(new GateSubject(new ReleaseKey("payments-api", "prod", digest), REGISTRY + "/payments-api@" + digest.value(),
                tag, clock.instant(), List.of("dev@example.com"), GateOrigin.DEPLOY, "push-" + tag));
    }

    /**
     * A chat service that answers every post with the channel's id and a fresh timestamp, remembers what was posted, and
     * finds a card by what its message carries.
     */
    static final class RecordingChat implements ChatGateway {
        final List<ChatMessage> posts = new ArrayList<>();
        final List<Updated> updates = new ArrayList<>();
        private RuntimeException updateFailure;
        private final Map<List<Object>, Posted> carried = new HashMap<>();
        private long ts = 1_795_428_000_000_100L;

        @Override
        public synchronized Posted post(String channel, ChatMessage message, String threadTs) {
            posts.add(message);
            return new Posted(channelId(channel), String.valueOf(ts++ / 1_000_000) + "." + String.format("%06d", ts % 1_000_000));
        }

        private static String channelId(String channel) {
            return channel.startsWith("#") ? "C0" + channel.substring(1).toUpperCase().replace("-", "") : channel;
        }

        @Override
        public synchronized Posted postHeadline(String channel, ChatMessage message, ThreadKey thread, PostingMarker marker) {
            Posted posted = post(channel, message, null);
            carried.put(List.of(posted.channelId(), thread, marker), posted);
            return posted;
        }

        @Override
        public synchronized Optional<Posted> findHeadline(String channel, ThreadKey thread, PostingMarker marker) {
            return Optional.ofNullable(carried.get(List.of(channelId(channel), thread, marker)));
        }

        /** Every later update throws {@code failure}, as a chat service refusing or unreachable does. */
        synchronized void failUpdatesWith(RuntimeException failure) {
            this.updateFailure = failure;
        }

        @Override
        public synchronized void update(String channelId, String ts, ChatMessage message) {
            if (updateFailure != null) {
                throw updateFailure;
            }
            updates.add(new Updated(channelId, ts, message));
        }

        record Updated(String channelId, String ts, ChatMessage message) {}

        @Override
        public void respond(String responseUrl, ChatMessage message, boolean replaceOriginal, boolean ephemeral) {
            throw new UnsupportedOperationException("ChatOps answers through response_url");
        }
    }

    /** Everything a reply shows, block by block, buttons as {@code [text]}: what the tests read. */
    static String textOf(ChatReply reply) {
        return textOf(reply.message());
    }

    static String textOf(ChatMessage message) {
        StringBuilder all = new StringBuilder();
        for (ChatMessage.Block block : message.blocks()) {
            switch (block) {
                case ChatMessage.Header h -> all.append(h.text()).append('\n');
                case ChatMessage.Section s -> all.append(s.markdown()).append('\n');
                case ChatMessage.Fields f -> f.markdown().forEach(m -> all.append(m).append('\n'));
                case ChatMessage.Context c -> c.markdown().forEach(m -> all.append(m).append('\n'));
                case ChatMessage.Actions a -> a.buttons().forEach(b -> all.append('[').append(b.text()).append("]\n"));
                case ChatMessage.Divider d -> all.append("---\n");
            }
        }
        return all.toString().strip();
    }
}
