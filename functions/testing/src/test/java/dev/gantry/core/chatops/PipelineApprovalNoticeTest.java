package dev.gantry.core.chatops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.release.MalformedEventException;
import dev.gantry.testing.Fixtures;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The manual approval notification CodePipeline publishes, read from AWS's own sample. */
class PipelineApprovalNoticeTest {

    @Test
    void readsAwsSampleNotification() {
        PipelineApprovalNotice notice = PipelineApprovalNotice.parse(Fixtures.eventText("codepipeline-manual-approval-sns-message.json"));

        assertThat(notice).isEqualTo(new PipelineApprovalNotice("us-east-2",
                "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline", "MyFirstPipeline",
                "MyApprovalStage", "MyApprovalAction", "1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN", Instant.parse("2016-07-07T20:22:00Z"),
                "http://example.com",
                "https://console.aws.amazon.com/codepipeline/home?region=us-east-2#/view/MyFirstPipeline/MyApprovalStage/MyApprovalAction/approve/1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN",
                "Review the latest changes and approve or reject within seven days."));
    }

    @Test
    void leavesOutWhatTheNotificationDoesNotSay() {
        PipelineApprovalNotice notice = PipelineApprovalNotice.parse("""
                {"approval": {"pipelineName": "p", "stageName": "s", "actionName": "a", "token": "t", "newField": 1}}""");

        assertThat(notice.expires()).isNull();
        assertThat(notice.customData()).isNull();
        assertThat(notice.region()).isNull();
    }

    @Test
    void saysWhereANotificationIsNotJsonWithoutQuotingItsToken() {
        String unquoted = Fixtures.eventText("codepipeline-manual-approval-sns-message.json")
                .replace("\"token\": \"1a2b3c4d-573f-4ea7-a67E-XAMPLETOKEN\"", "\"token\": XAMPLETOKENnotQuoted");

        assertThatThrownBy(() -> PipelineApprovalNotice.parse(unquoted)).isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("the manual approval notification is not JSON (line ")
                .message().doesNotContain("XAMPLETOKEN");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "{\"approval\": {\"stageName\": \"s\", \"actionName\": \"a\", \"token\": \"t\"}}|approval.pipelineName: missing",
            "{\"approval\": {\"pipelineName\": \"p\", \"stageName\": \"s\", \"actionName\": \"a\"}}|approval.token: missing",
            "{\"approval\": {\"pipelineName\": \"p\", \"stageName\": \"s\", \"actionName\": \"a\", \"token\": \"t\", \"expires\": \"soon\"}}|approval.expires: 'soon' is not a time",
            "{\"region\": \"us-east-2\"}|approval: missing",
            "[1, 2]|the manual approval notification is not a JSON object"})
    void refusesANotificationItCannotActOn(String message, String problem) {
        assertThatThrownBy(() -> PipelineApprovalNotice.parse(message)).isInstanceOf(MalformedEventException.class).hasMessage(problem);
    }
}
