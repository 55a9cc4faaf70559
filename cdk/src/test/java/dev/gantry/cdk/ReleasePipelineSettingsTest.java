package dev.gantry.cdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReleasePipelineSettingsTest {

    @Test
    void noContextMeansNoPipelines() {
        ReleasePipelineSettings settings = ReleasePipelineSettings.fromContext(key -> null);

        assertThat(settings).isEqualTo(ReleasePipelineSettings.NONE);
        assertThat(settings.connectionSource()).isFalse();
    }

    @Test
    void readsCommaSeparatedServicesInOrderIgnoringBlanks() {
        ReleasePipelineSettings settings = ReleasePipelineSettings.fromContext(Map.of("releasePipelines", " payments-api, ,orders ")::get);

        assertThat(settings.services()).containsExactly("payments-api", "orders");
        assertThat(settings.connectionSource()).isFalse();
    }

    @Test
    void connectionTakesEachServicesRepositoryAndDefaultsTheBranchToMain() {
        ReleasePipelineSettings settings = ReleasePipelineSettings.fromContext(Map.of(
                "releasePipelines", "payments-api,orders",
                "sourceConnectionArn", "arn:aws:codestar-connections:eu-west-1:111111111111:connection/example",
                "sourceRepositories", "payments-api=example-org/payments, orders = example-org/orders")::get);

        assertThat(settings.connectionSource()).isTrue();
        assertThat(settings.repositories()).isEqualTo(Map.of("payments-api", "example-org/payments", "orders", "example-org/orders"));
        assertThat(settings.branch()).isEqualTo("main");
    }

    @Test
    void refusesContextTheStackCannotServe() {
        String connection = "arn:aws:codestar-connections:eu-west-1:111111111111:connection/example";
        for (Object[] contextAndMessage : List.of(
                new Object[] {Map.of("releasePipelines", "orders,orders"), "names a service twice"},
                new Object[] {Map.of("releasePipelines", "orders", "sourceConnectionArn", connection), "missing for: orders"},
                new Object[] {Map.of("releasePipelines", "orders", "sourceRepositories", "orders=o/r"), "needs -c sourceConnectionArn"},
                new Object[] {Map.of("releasePipelines", "orders", "sourceConnectionArn", connection, "sourceRepositories", "o/r"),
                        "takes service=owner/name entries"})) {
            @SuppressWarnings("unchecked")
            Map<String, String> context = (Map<String, String>) contextAndMessage[0];

            assertThatThrownBy(() -> ReleasePipelineSettings.fromContext(context::get))
                    .isInstanceOf(ReleasePipelineSettings.InvalidContextException.class)
                    .hasMessageContaining((String) contextAndMessage[1]);
        }
    }
}
