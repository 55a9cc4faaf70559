package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.core.chatops.ApprovalCards;
import dev.gantry.core.notify.ChatMessage;
import dev.gantry.slack.BlockKitRenderer;
import java.util.List;
import org.junit.jupiter.api.Test;

class BlockKitHtmlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void rendersSlackMrkdwn() {
        String html = BlockKitHtml.mrkdwn("*payments-api* `1.4.0` is _live_ in ~staging~ :white_check_mark:\n"
                + "<https://example.com/r?a=1&amp;b=2|the run> for <@U0LOCAL0001> in <#C0LOCAL001|releases>\n>quoted &lt;b&gt;");

        assertThat(html)
                .contains("<b>payments-api</b> <code>1.4.0</code> is <i>live</i> in <s>staging</s> \u2705<br>")
                .contains("<a href=\"https://example.com/r?a=1&amp;b=2\" target=\"_blank\" rel=\"noopener\">the run</a>")
                .contains("<span class=\"mention\">@U0LOCAL0001</span>")
                .contains("<span class=\"mention\">#releases</span>")
                .contains("<blockquote>quoted &lt;b&gt;</blockquote>");
    }

    @Test
    void neverLetsMessageTextBecomeMarkup() {
        String html = BlockKitHtml.mrkdwn("<script>alert(1)</script> \"x\" <javascript:alert(1)|click>");

        assertThat(html).doesNotContain("<script>").doesNotContain("href=\"javascript").contains("&quot;x&quot;");
    }

    @Test
    void rendersWhatTheSlackAdapterPostsButtonsWithTheirConfirmation() throws Exception {
        ChatMessage card = new ChatMessage("Approval needed", List.of(
                new ChatMessage.Header("Approve payments-api 1.4.0 for prod?"),
                new ChatMessage.Fields(List.of("*Service*\npayments-api", "*Tag*\n`1.4.0`")),
                new ChatMessage.Context(List.of("approved by <@U0EXAMPLE1>")),
                new ChatMessage.Actions("approval:ga_1", List.of(
                        new ChatMessage.Button(ApprovalCards.GATE_APPROVE, "Approve", "ga_1", ChatMessage.Style.PRIMARY,
                                new ChatMessage.Confirm("Approve this digest?", "You approve it.", "Approve", "Cancel"), null),
                        new ChatMessage.Button("gantry.link.review", "Open", null, null, null, "https://example.com/review")))));

        String html = BlockKitHtml.message(card.text(), JSON.readTree(new BlockKitRenderer().renderJson(card)));

        assertThat(html)
                .contains("<div class=\"header\">Approve payments-api 1.4.0 for prod?</div>")
                .contains("<div class=\"field\"><b>Service</b><br>payments-api</div>")
                .contains("<div class=\"context\">approved by <span class=\"mention\">@U0EXAMPLE1</span></div>")
                .contains("<button class=\"button primary\" data-action-id=\"gantry.gate.approve\" data-block-id=\"approval:ga_1\""
                        + " data-value=\"ga_1\" data-confirm-title=\"Approve this digest?\" data-confirm-text=\"You approve it.\""
                        + " data-confirm-ok=\"Approve\" data-confirm-deny=\"Cancel\">Approve</button>")
                .contains("<a class=\"button \" href=\"https://example.com/review\" target=\"_blank\" rel=\"noopener\">Open</a>");
    }

    @Test
    void showsTheTextOfAMessageWithoutBlocks() {
        assertThat(BlockKitHtml.message("plain *news*", JSON.createArrayNode())).contains("plain <b>news</b>");
    }
}
