package dev.gantry.slack;

import static dev.gantry.slack.SlackSamples.interactionBody;
import static dev.gantry.slack.SlackSamples.read;
import static dev.gantry.slack.SlackSamples.verified;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.testing.MutableClock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlackPayloadsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void readsASlashCommand() {
        SlackCommand command = SlackPayloads.command(verified(read(SlackSamples.GANTRY_COMMAND)));

        assertThat(command).isEqualTo(new SlackCommand(
                "T0GANTRY1",
                "A0GANTRY1",
                "U0ALICE01",
                "alice",
                "/gantry",
                "approve payments-api prod",
                "https://hooks.slack.com/commands/T0GANTRY1/1000000000001/test-response-url-not-real",
                "1000000000002.1000000000003.0123456789abcdef0123456789abcdef",
                "C0RELEASES"));
    }

    @Test
    void readsAButtonClick() {
        SlackAction action = SlackPayloads.action(verified(interactionBody(read(SlackSamples.GANTRY_APPROVE_CLICK))));

        assertThat(action).isEqualTo(new SlackAction(
                "T0GANTRY1",
                "A0GANTRY1",
                "U0BOB00001",
                "gantry.approve",
                "approval:rel-0042",
                "apr-7f3c2a",
                "https://hooks.slack.com/actions/T0GANTRY1/1000000000005/test-response-url-not-real",
                "1000000000004.1000000000003.fedcba9876543210fedcba9876543210",
                "C0RELEASES",
                "1763892000.000100"));
    }

    @Test
    void tellsACommandFromAClick() {
        SlackPayload command = SlackPayloads.parse(verified(read(SlackSamples.GANTRY_COMMAND)));
        SlackPayload click = SlackPayloads.parse(verified(interactionBody(read(SlackSamples.GANTRY_APPROVE_CLICK))));

        assertThat(command).isInstanceOf(SlackCommand.class);
        assertThat(click).isInstanceOf(SlackAction.class);
    }

    @Test
    void parsesWhatTheVerifierLetThrough() {
        // given the Gantry command body signed as Slack would sign it, verified at the time it was sent
        String body = read(SlackSamples.GANTRY_COMMAND);
        MutableClock clock = MutableClock.at("2026-11-23T10:00:00Z");
        long now = clock.instant().getEpochSecond();
        SlackRequestVerifier verifier = new SlackRequestVerifier(List.of("test-signing-secret-not-real"), clock);
        SlackRequestVerifier.Verification verification = verifier.verify(Map.of(
                "x-slack-request-timestamp", Long.toString(now),
                "x-slack-signature", SlackSamples.sign("test-signing-secret-not-real", now, body)), body, false);

        // when
        SlackPayload payload = SlackPayloads.parse((SlackRequestVerifier.Verified) verification);

        // then
        assertThat(payload).isInstanceOfSatisfying(SlackCommand.class,
                command -> assertThat(command.text()).isEqualTo("approve payments-api prod"));
    }

    @Test
    void readsACommandWithoutTextAsEmptyText() {
        String body = read(SlackSamples.GANTRY_COMMAND).replace("text=approve+payments-api+prod", "text=");

        assertThat(SlackPayloads.command(verified(body)).text()).isEmpty();
    }

    @Test
    void namesTheFieldACommandLacks() {
        // Slack's documented example predates api_app_id, which Gantry needs to know the command is for it.
        String documented = read(SlackSamples.DOCUMENTED_COMMAND);

        assertThatThrownBy(() -> SlackPayloads.command(verified(documented)))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo("api_app_id"))
                .hasMessageContaining("api_app_id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"team_id", "user_id", "command", "response_url", "trigger_id", "channel_id"})
    void refusesACommandMissingARequiredField(String field) {
        String body = withoutFormField(read(SlackSamples.GANTRY_COMMAND), field);

        assertThatThrownBy(() -> SlackPayloads.command(verified(body)))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @Test
    void refusesAFieldSentTwice() {
        String body = read(SlackSamples.GANTRY_COMMAND) + "&user_id=U0MALLORY1";

        assertThatThrownBy(() -> SlackPayloads.command(verified(body)))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo("user_id"));
    }

    @Test
    void refusesBrokenFormEncoding() {
        String body = read(SlackSamples.GANTRY_COMMAND).replace("text=approve", "text=%E2%approve");

        assertThatThrownBy(() -> SlackPayloads.command(verified(body)))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class, e -> assertThat(e.field()).isEqualTo("text"));
    }

    @Test
    void readsALinkButtonClickWithoutAValue() throws Exception {
        ObjectNode click = click();
        ((ObjectNode) click.path("actions").get(0)).remove("value");

        SlackAction action = SlackPayloads.action(verified(interactionBody(click.toString())));

        assertThat(action.value()).isNull();
        assertThat(action.actionId()).isEqualTo("gantry.approve");
    }

    @Test
    void takesTheChannelAndMessageFromTheirObjectsWhenTheContainerLeavesThemOut() throws Exception {
        ObjectNode click = click();
        ((ObjectNode) click.path("container")).remove(List.of("channel_id", "message_ts"));

        SlackAction action = SlackPayloads.action(verified(interactionBody(click.toString())));

        assertThat(action.channelId()).isEqualTo("C0RELEASES");
        assertThat(action.messageTs()).isEqualTo("1763892000.000100");
    }

    @ParameterizedTest
    @ValueSource(strings = {"team.id", "api_app_id", "user.id", "actions[0].action_id", "actions[0].block_id",
            "response_url", "trigger_id"})
    void refusesAClickMissingARequiredField(String path) throws Exception {
        ObjectNode click = click();
        remove(click, path);

        assertThatThrownBy(() -> SlackPayloads.action(verified(interactionBody(click.toString()))))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class, e -> assertThat(e.field()).isEqualTo(path))
                .hasMessageNotContaining("hooks.slack.com");
    }

    @Test
    void refusesAClickWithoutActions() throws Exception {
        ObjectNode click = click();
        click.set("actions", JSON.createArrayNode());

        assertThatThrownBy(() -> SlackPayloads.action(verified(interactionBody(click.toString()))))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo("actions"));
    }

    @Test
    void refusesAnInteractionOtherThanABlockAction() throws Exception {
        ObjectNode submission = click();
        submission.put("type", "view_submission");

        assertThatThrownBy(() -> SlackPayloads.action(verified(interactionBody(submission.toString()))))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class, e -> assertThat(e.field()).isEqualTo("type"))
                .hasMessageContaining("view_submission");
    }

    @Test
    void refusesAPayloadThatIsNotJson() {
        assertThatThrownBy(() -> SlackPayloads.action(verified(interactionBody("{\"type\":"))))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo("payload"));
    }

    @Test
    void refusesAClickWithoutAPayloadField() {
        assertThatThrownBy(() -> SlackPayloads.action(verified(read(SlackSamples.GANTRY_COMMAND))))
                .isInstanceOfSatisfying(MalformedSlackPayloadException.class,
                        e -> assertThat(e.field()).isEqualTo("payload"));
    }

    private static ObjectNode click() throws Exception {
        return (ObjectNode) JSON.readTree(read(SlackSamples.GANTRY_APPROVE_CLICK));
    }

    private static void remove(ObjectNode click, String path) {
        switch (path) {
            case "team.id", "user.id" -> ((ObjectNode) click.path(path.substring(0, path.indexOf('.')))).remove("id");
            case "actions[0].action_id", "actions[0].block_id" ->
                    ((ObjectNode) ((ArrayNode) click.path("actions")).get(0)).remove(path.substring("actions[0].".length()));
            default -> click.remove(path);
        }
    }

    private static String withoutFormField(String body, String field) {
        String stripped = body.replaceAll("(^|&)" + field + "=[^&]*", "");
        assertThat(stripped).isNotEqualTo(body);
        return stripped;
    }
}
