package dev.gantry.fn.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.aws.lambda.LocalContext;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.ChatPermissions;
import dev.gantry.core.chatops.EndedApprovals;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.notify.AlarmThreads;
import dev.gantry.core.notify.NotifyService;
import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryPendingApprovals;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.InMemoryReleaseThreads;
import dev.gantry.testing.MutableClock;
import dev.gantry.testing.RecordingChatGateway;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The notify function over in-memory adapters, for what it does before anything is stored or posted. */
class ChatOpsNotifyHandlerTest {

    private final GantryConfig config = Fixtures.exampleConfig();
    private final MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
    private final RecordingChatGateway chat = new RecordingChatGateway();
    private final InMemoryGateStore gates = new InMemoryGateStore();
    private final ChatOpsNotifyHandler handler = new ChatOpsNotifyHandler(
            new NotifyService(new InMemoryReleaseThreads(), chat, config.slack(), clock),
            new AwsChangeNews(new InMemoryRebuildLedger(), new AlarmThreads(config, gates)),
            new ApprovalCardRequests(new ApprovalRequests(config, new InMemoryPendingApprovals(), chat,
                    new ChatPermissions(config, ApproverGroups.none()), clock), gates,
                    new EndedApprovals(config, new InMemoryPendingApprovals(), gates, chat, new ChatPermissions(config, ApproverGroups.none()))));

    @ParameterizedTest
    @ValueSource(ints = {1, 40, 300})
    void rejectsAnEventCutShortAsMalformedSayingItIsNotJson(int kept) {
        String cutShort = Fixtures.eventText("codepipeline-pipeline-execution-failed.json").substring(0, kept);

        assertThatThrownBy(() -> handler.handleRequest(new ByteArrayInputStream(cutShort.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), new LocalContext("gantry-chatops-notify", 60_000)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("the event is not valid JSON");
        assertThat(chat.calls()).isEmpty();
    }
}
