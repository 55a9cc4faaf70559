package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

class AwsErrorsTest {

    @Test
    void namesTheServicesCodeAndMessage() {
        AwsServiceException e = AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("AccessDenied").errorMessage("not authorized").serviceName("CloudWatch").build())
                .statusCode(403).build();

        assertThat(AwsErrors.refusal(e)).isEqualTo("AccessDenied: not authorized");
    }

    @Test
    void fallsBackToTheSdksDescriptionWhenTheServiceSentNoCode() {
        AwsServiceException e = AwsServiceException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().serviceName("CloudWatch").build())
                .statusCode(404).build();

        assertThat(AwsErrors.refusal(e)).doesNotContain("null: null").contains("Status Code: 404");
    }
}
