package dev.gantry.aws;

import software.amazon.awssdk.awscore.exception.AwsServiceException;

/** How an AWS refusal reads in Gantry's errors. */
final class AwsErrors {

    private AwsErrors() {}

    /**
     * The service's error code and message; when it sent neither (a proxy's bare 404, an empty 5xx), the SDK's own
     * description, which names the service and the HTTP status, rather than "null: null".
     */
    static String refusal(AwsServiceException e) {
        var details = e.awsErrorDetails();
        if (details == null || details.errorCode() == null || details.errorCode().isBlank()) {
            return e.getMessage();
        }
        return details.errorCode() + ": " + details.errorMessage();
    }
}
