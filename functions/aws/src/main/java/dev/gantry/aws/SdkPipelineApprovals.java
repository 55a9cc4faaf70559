package dev.gantry.aws;

import dev.gantry.core.chatops.PipelineApprovals;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.codepipeline.model.ApprovalAlreadyCompletedException;
import software.amazon.awssdk.services.codepipeline.model.ApprovalStatus;
import software.amazon.awssdk.services.codepipeline.model.InvalidApprovalTokenException;

/**
 * {@link PipelineApprovals} over CodePipeline's {@code PutApprovalResult}. Errors name the approval by
 * {@code pipeline/stage/action}; the token, which answers the approval for whoever holds it with the right to call
 * PutApprovalResult, is left out of them, and out of CodePipeline's messages they quote.
 */
public final class SdkPipelineApprovals implements PipelineApprovals {

    private static final String HIDDEN_TOKEN = "<token>";

    private final CodePipelineClient codePipeline;

    public SdkPipelineApprovals(CodePipelineClient codePipeline) {
        this.codePipeline = Objects.requireNonNull(codePipeline, "codePipeline");
    }

    @Override
    public void putApprovalResult(String pipeline, String stage, String action, String token, boolean approved, String summary) {
        String approval = pipeline + "/" + stage + "/" + action;
        try {
            codePipeline.putApprovalResult(r -> r
                    .pipelineName(pipeline)
                    .stageName(stage)
                    .actionName(action)
                    .token(token)
                    .result(result -> result.status(approved ? ApprovalStatus.APPROVED : ApprovalStatus.REJECTED).summary(summary)));
        } catch (ApprovalAlreadyCompletedException e) {
            throw new AlreadyDecidedException("the approval " + approval + " was answered already: " + serviceMessage(e, token), e);
        } catch (InvalidApprovalTokenException e) {
            throw new InvalidTokenException("the approval " + approval + " no longer takes this token: " + serviceMessage(e, token), e);
        } catch (AwsServiceException e) {
            String code = e.awsErrorDetails() == null ? "unknown error" : e.awsErrorDetails().errorCode();
            throw new PipelineApprovalsException("PutApprovalResult for " + approval + " was refused: " + code + " (HTTP " + e.statusCode()
                    + "): " + serviceMessage(e, token), e);
        } catch (SdkException e) {
            throw new PipelineApprovalsException("PutApprovalResult for " + approval + " failed: " + withoutToken(e.getMessage(), token), e);
        }
    }

    private static String serviceMessage(AwsServiceException e, String token) {
        String message = e.awsErrorDetails() == null ? e.getMessage() : e.awsErrorDetails().errorMessage();
        return withoutToken(message, token);
    }

    private static String withoutToken(String message, String token) {
        if (message == null) {
            return "";
        }
        return token == null || token.isEmpty() ? message : message.replace(token, HIDDEN_TOKEN);
    }
}
