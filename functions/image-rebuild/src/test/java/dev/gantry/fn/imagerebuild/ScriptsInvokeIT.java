package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gantry.testing.Fixtures;
import dev.gantry.testing.InvokeScript;
import dev.gantry.testing.InvokeScript.Result;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code scripts/invoke image-rebuild} as a user runs it: a fresh JVM from the packaged function jar, configured only
 * through environment variables, with {@code AWS_ENDPOINT_URL} aiming the real SDK at loopback servers.
 */
class ScriptsInvokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static LoopbackAws aws;

    @BeforeAll
    static void startLoopbackAws() throws Exception {
        aws = new LoopbackAws();
    }

    @AfterAll
    static void stopLoopbackAws() throws Exception {
        aws.close();
    }

    @BeforeEach
    void freshState() {
        aws.resetToTheSamples();
        aws.freshTable();
    }

    @Test
    void startsTheDependentsBuildForTheBasePushSample() throws Exception {
        aws.acceptBuildsOf("runtime-java-image");

        Result result = InvokeScript.run(environment(), "image-rebuild", "events/gantry-ecr-push-golden-java21.json");

        assertThat(result.exitCode()).as(result.stderr()).isZero();
        JsonNode report = JSON.readTree(result.stdout());
        assertThat(report.at("/outcomes/0/action").asText()).isEqualTo("STARTED");
        assertThat(aws.startBuildRequests()).singleElement()
                .satisfies(start -> assertThat(start.at("/projectName").asText()).isEqualTo("runtime-java-image"));
    }

    @Test
    void exitsNonZeroNamingTheMissingRegistryAccount() throws Exception {
        Map<String, String> env = environment();
        env.remove(ImageRebuildWiring.REGISTRY_ACCOUNT_ENV);

        Result result = InvokeScript.run(env, "image-rebuild", "events/gantry-ecr-push-golden-java21.json");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains(ImageRebuildWiring.REGISTRY_ACCOUNT_ENV);
        assertThat(aws.startBuildRequests()).isEmpty();
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("GANTRY_CONFIG", Fixtures.exampleConfigFile().toString());
        env.put("GANTRY_TABLE", LoopbackAws.TABLE);
        env.put(ImageRebuildWiring.REGISTRY_ACCOUNT_ENV, LoopbackAws.ACCOUNT);
        env.put("AWS_REGION", LoopbackAws.REGION);
        env.put("AWS_ACCESS_KEY_ID", "testaccesskey");
        env.put("AWS_SECRET_ACCESS_KEY", "test-secret-key");
        env.put("AWS_ENDPOINT_URL", aws.services.baseUrl());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", aws.dynamoEndpoint());
        return env;
    }
}
