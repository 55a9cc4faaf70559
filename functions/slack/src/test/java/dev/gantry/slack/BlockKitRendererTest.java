package dev.gantry.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.core.notify.ChatMessage.Actions;
import dev.gantry.core.notify.ChatMessage.Block;
import dev.gantry.core.notify.ChatMessage.Button;
import dev.gantry.core.notify.ChatMessage.Confirm;
import dev.gantry.core.notify.ChatMessage.Context;
import dev.gantry.core.notify.ChatMessage.Divider;
import dev.gantry.core.notify.ChatMessage.Fields;
import dev.gantry.core.notify.ChatMessage.Header;
import dev.gantry.core.notify.ChatMessage.Section;
import dev.gantry.core.notify.ChatMessage.Style;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BlockKitRendererTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockKitRenderer renderer = new BlockKitRenderer();

    @Test
    void rendersAHeaderAsPlainText() throws Exception {
        JsonNode block = single(new Header("payments-api 1.4.0 → prod"));

        assertThat(block.path("type").asText()).isEqualTo("header");
        assertThat(block.path("text").path("type").asText()).isEqualTo("plain_text");
        assertThat(block.path("text").path("text").asText()).isEqualTo("payments-api 1.4.0 → prod");
    }

    @Test
    void rendersASectionAsMarkdown() throws Exception {
        JsonNode block = single(new Section("*payments-api* `1.4.0` is <https://example.com/r/42|rolling out>"));

        assertThat(block.path("type").asText()).isEqualTo("section");
        assertThat(block.path("text").path("type").asText()).isEqualTo("mrkdwn");
        assertThat(block.path("text").path("text").asText())
                .isEqualTo("*payments-api* `1.4.0` is <https://example.com/r/42|rolling out>");
    }

    @Test
    void writesLinksAsTheyAreRatherThanAsUnicodeEscapes() {
        assertThat(renderer.renderJson(message(new Section("<https://example.com/r?id=42&tab=log|log>"))))
                .contains("<https://example.com/r?id=42&tab=log|log>");
    }

    @Test
    void rendersFieldsAsASectionsFields() throws Exception {
        JsonNode block = single(new Fields(List.of("*Environment*\nprod", "*Digest*\n`sha256:07348c117739`")));

        assertThat(block.path("type").asText()).isEqualTo("section");
        assertThat(block.has("text")).isFalse();
        assertThat(block.path("fields")).hasSize(2);
        assertThat(block.path("fields").get(0).path("type").asText()).isEqualTo("mrkdwn");
        assertThat(block.path("fields").get(1).path("text").asText()).isEqualTo("*Digest*\n`sha256:07348c117739`");
    }

    @Test
    void rendersContextAsMarkdownElements() throws Exception {
        JsonNode block = single(new Context(List.of("Approved by <@U0BOB00001>", "10:42 UTC")));

        assertThat(block.path("type").asText()).isEqualTo("context");
        assertThat(block.path("elements")).hasSize(2);
        assertThat(block.path("elements").get(0).path("type").asText()).isEqualTo("mrkdwn");
        assertThat(block.path("elements").get(0).path("text").asText()).isEqualTo("Approved by <@U0BOB00001>");
    }

    @Test
    void rendersADivider() throws Exception {
        JsonNode block = single(new Divider());

        assertThat(block.path("type").asText()).isEqualTo("divider");
        assertThat(block.size()).isEqualTo(1);
    }

    @Test
    void rendersButtonsWithStylesValuesAndAConfirmDialog() throws Exception {
        // given an approval card's buttons
        Actions actions = new Actions("approval:rel-0042", List.of(
                new Button("gantry.approve", "Approve", "apr-7f3c2a", Style.PRIMARY, null, null),
                new Button("gantry.reject", "Reject", "apr-7f3c2a", Style.DANGER,
                        new Confirm("Reject the release?", "payments-api 1.4.0 will not go to prod.", "Reject", "Keep"),
                        null),
                new Button("gantry.details", "Details", null, Style.DEFAULT, null, "https://example.com/releases/42")));

        // when
        JsonNode block = single(actions);

        // then
        assertThat(block.path("type").asText()).isEqualTo("actions");
        assertThat(block.path("block_id").asText()).isEqualTo("approval:rel-0042");
        JsonNode approve = block.path("elements").get(0);
        assertThat(approve.path("type").asText()).isEqualTo("button");
        assertThat(approve.path("action_id").asText()).isEqualTo("gantry.approve");
        assertThat(approve.path("text").path("type").asText()).isEqualTo("plain_text");
        assertThat(approve.path("text").path("text").asText()).isEqualTo("Approve");
        assertThat(approve.path("value").asText()).isEqualTo("apr-7f3c2a");
        assertThat(approve.path("style").asText()).isEqualTo("primary");
        assertThat(approve.has("confirm")).isFalse();
        assertThat(approve.has("url")).isFalse();

        JsonNode reject = block.path("elements").get(1);
        assertThat(reject.path("style").asText()).isEqualTo("danger");
        JsonNode confirm = reject.path("confirm");
        assertThat(confirm.path("title").path("type").asText()).isEqualTo("plain_text");
        assertThat(confirm.path("title").path("text").asText()).isEqualTo("Reject the release?");
        assertThat(confirm.path("text").path("text").asText()).isEqualTo("payments-api 1.4.0 will not go to prod.");
        assertThat(confirm.path("confirm").path("text").asText()).isEqualTo("Reject");
        assertThat(confirm.path("deny").path("text").asText()).isEqualTo("Keep");
        assertThat(confirm.path("style").asText()).isEqualTo("danger");

        JsonNode details = block.path("elements").get(2);
        assertThat(details.path("url").asText()).isEqualTo("https://example.com/releases/42");
        assertThat(details.has("style")).isFalse();
        assertThat(details.has("value")).isFalse();
    }

    @Test
    void shortensAHeaderToSlacksLimitWithAnEllipsis() throws Exception {
        String text = single(new Header("h".repeat(400))).path("text").path("text").asText();

        assertThat(text).hasSize(BlockKitRenderer.MAX_HEADER_CHARS).endsWith("…").startsWith("hhh");
    }

    @Test
    void shortensASectionToSlacksLimitWithAnEllipsis() throws Exception {
        String text = single(new Section("s".repeat(5000))).path("text").path("text").asText();

        assertThat(text).hasSize(BlockKitRenderer.MAX_SECTION_CHARS).endsWith("…");
    }

    @Test
    void neverCutsACharacterInHalf() {
        // given a section whose cut would fall between the two halves of an emoji
        String text = "s".repeat(BlockKitRenderer.MAX_SECTION_CHARS - 2) + "😀" + "tail";

        // when
        String cut = BlockKitRenderer.truncate(text, BlockKitRenderer.MAX_SECTION_CHARS);

        // then
        assertThat(cut).endsWith("s…").hasSizeLessThanOrEqualTo(BlockKitRenderer.MAX_SECTION_CHARS);
    }

    @Test
    void shortensEachFieldAndContinuesPastTenFieldsInAnotherSection() throws Exception {
        List<String> fields = new ArrayList<>(IntStream.rangeClosed(1, 12).mapToObj(i -> "*f" + i + "*").toList());
        fields.set(0, "f".repeat(2500));

        JsonNode blocks = blocks(message(new Fields(fields)));

        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).path("fields")).hasSize(BlockKitRenderer.MAX_FIELDS_PER_SECTION);
        assertThat(blocks.get(0).path("fields").get(0).path("text").asText())
                .hasSize(BlockKitRenderer.MAX_FIELD_CHARS).endsWith("…");
        assertThat(blocks.get(1).path("fields")).hasSize(2);
        assertThat(blocks.get(1).path("fields").get(1).path("text").asText()).isEqualTo("*f12*");
    }

    @Test
    void continuesPastTenContextLinesInAnotherContextBlock() throws Exception {
        List<String> lines = IntStream.rangeClosed(1, 11).mapToObj(i -> "line " + i).toList();

        JsonNode blocks = blocks(message(new Context(lines)));

        assertThat(blocks).hasSize(2);
        assertThat(blocks.get(0).path("elements")).hasSize(BlockKitRenderer.MAX_CONTEXT_ELEMENTS);
        assertThat(blocks.get(1).path("elements").get(0).path("text").asText()).isEqualTo("line 11");
    }

    @Test
    void keepsFortyNineBlocksAndSaysHowManyWereLeftOut() throws Exception {
        List<Block> many = IntStream.rangeClosed(1, 60).<Block>mapToObj(i -> new Section("step " + i)).toList();

        JsonNode blocks = blocks(new ChatMessage("sixty steps", many));

        assertThat(blocks).hasSize(BlockKitRenderer.MAX_BLOCKS);
        assertThat(blocks.get(48).path("text").path("text").asText()).isEqualTo("step 49");
        JsonNode last = blocks.get(49);
        assertThat(last.path("type").asText()).isEqualTo("context");
        assertThat(last.path("elements").get(0).path("text").asText()).contains("11 more blocks left out");
    }

    @Test
    void keepsExactlyFiftyBlocksAsTheyAre() throws Exception {
        List<Block> fifty = IntStream.rangeClosed(1, 50).<Block>mapToObj(i -> new Section("step " + i)).toList();

        JsonNode blocks = blocks(new ChatMessage("fifty steps", fifty));

        assertThat(blocks).hasSize(50);
        assertThat(blocks.get(49).path("text").path("text").asText()).isEqualTo("step 50");
    }

    @Test
    void leavesOutBlocksWithNothingToShow() throws Exception {
        JsonNode blocks = blocks(message(
                new Section(" "), new Fields(List.of()), new Context(List.of("")), new Actions("empty", List.of()),
                new Header(""), new Section("kept")));

        assertThat(blocks).hasSize(1);
        assertThat(blocks.get(0).path("text").path("text").asText()).isEqualTo("kept");
    }

    @Test
    void refusesAButtonValueLongerThanSlackTakesRatherThanCutIt() {
        ChatMessage message = message(new Actions("approval", List.of(
                new Button("gantry.approve", "Approve", "v".repeat(2001), Style.PRIMARY, null, null))));

        assertThatThrownBy(() -> renderer.render(message))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("value of button gantry.approve");
    }

    @Test
    void acceptsAButtonValueOfExactlySlacksLimit() throws Exception {
        JsonNode block = single(new Actions("approval", List.of(
                new Button("gantry.approve", "Approve", "v".repeat(2000), Style.PRIMARY, null, null))));

        assertThat(block.path("elements").get(0).path("value").asText()).hasSize(2000);
    }

    @Test
    void refusesMoreButtonsThanAnActionsBlockHolds() {
        List<Button> buttons = IntStream.rangeClosed(1, 26)
                .mapToObj(i -> new Button("b" + i, "B" + i, "v", Style.DEFAULT, null, null)).toList();

        assertThatThrownBy(() -> renderer.render(message(new Actions("many", buttons))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("26 buttons");
    }

    @Test
    void shortensButtonAndDialogLabels() throws Exception {
        JsonNode button = single(new Actions("approval", List.of(new Button("gantry.reject", "r".repeat(100), "v",
                Style.DANGER, new Confirm("t".repeat(200), "x".repeat(400), "c".repeat(40), "d".repeat(40)), null))))
                .path("elements").get(0);

        assertThat(button.path("text").path("text").asText()).hasSize(BlockKitRenderer.MAX_BUTTON_TEXT_CHARS);
        assertThat(button.path("confirm").path("title").path("text").asText()).hasSize(100);
        assertThat(button.path("confirm").path("text").path("text").asText()).hasSize(300);
        assertThat(button.path("confirm").path("confirm").path("text").asText()).hasSize(30);
        assertThat(button.path("confirm").path("deny").path("text").asText()).hasSize(30);
    }

    @Test
    void rendersNoBlocksForAMessageWithout() {
        assertThat(renderer.renderJson(new ChatMessage("just text", List.of()))).isEqualTo("[]");
    }

    private JsonNode single(Block block) throws Exception {
        JsonNode blocks = blocks(message(block));
        assertThat(blocks).hasSize(1);
        return blocks.get(0);
    }

    private JsonNode blocks(ChatMessage message) throws Exception {
        JsonNode blocks = JSON.readTree(renderer.renderJson(message));
        assertThat(blocks.isArray()).isTrue();
        return blocks;
    }

    private static ChatMessage message(Block... blocks) {
        return new ChatMessage("fallback", List.of(blocks));
    }
}
