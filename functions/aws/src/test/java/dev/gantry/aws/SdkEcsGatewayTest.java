package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.services.ecs.model.RegisterTaskDefinitionRequest;

class SdkEcsGatewayTest {

    @Test
    void accountsForEveryFieldOfRegisterTaskDefinition() {
        Set<String> requestFields = new HashSet<>();
        for (SdkField<?> field : RegisterTaskDefinitionRequest.builder().sdkFields()) {
            requestFields.add(field.memberName());
        }
        Set<String> accountedFor = new HashSet<>(SdkEcsGateway.COPIED);
        accountedFor.addAll(SdkEcsGateway.NOT_COPIED.keySet());

        // A new SDK that adds a field fails here until the field is copied or its omission is explained.
        assertThat(accountedFor)
                .as("RegisterTaskDefinition fields that the revision copy neither copies nor explains")
                .containsAll(requestFields.stream().map(SdkEcsGatewayTest::lowerFirst).toList());
        assertThat(requestFields.stream().map(SdkEcsGatewayTest::lowerFirst).toList())
                .as("fields listed as copied that RegisterTaskDefinition does not have")
                .containsAll(SdkEcsGateway.COPIED);
    }

    private static String lowerFirst(String name) {
        return Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }
}
