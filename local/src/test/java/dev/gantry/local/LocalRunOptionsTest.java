package dev.gantry.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalRunOptionsTest {

    @Test
    void defaultsToTheLocalConfigurationEmbeddedAwsAndSynthesis() {
        LocalRun.Options options = LocalRun.Options.parse(List.of(), Map.of());

        assertThat(options.config()).isEqualTo(Path.of("local/gantry.yml"));
        assertThat(options.localStack()).isNull();
        assertThat(options.port()).isEqualTo(LocalRun.DEFAULT_PORT);
        assertThat(options.synthesize()).isTrue();
        assertThat(options.autoApprove()).isFalse();
    }

    @Test
    void findsLocalStackWhereTheEnvironmentOrTheOptionSays() {
        assertThat(LocalRun.Options.parse(List.of("--localstack"), Map.of()).localStack()).isEqualTo(URI.create("http://localhost:4566"));
        assertThat(LocalRun.Options.parse(List.of("--localstack"), Map.of("LOCALSTACK_ENDPOINT", "http://ls.internal:4566")).localStack())
                .isEqualTo(URI.create("http://ls.internal:4566"));
        assertThat(LocalRun.Options.parse(List.of("--localstack=http://127.0.0.1:4510"), Map.of()).localStack())
                .isEqualTo(URI.create("http://127.0.0.1:4510"));
    }

    @Test
    void namesWhatItDoesNotUnderstand() {
        assertThatThrownBy(() -> LocalRun.Options.parse(List.of("--auto-aprove"), Map.of())).hasMessage("unknown argument '--auto-aprove'");
        assertThatThrownBy(() -> LocalRun.Options.parse(List.of("--port", "http"), Map.of()))
                .hasMessage("--port takes a port number (0 to 65535), not 'http'");
        assertThatThrownBy(() -> LocalRun.Options.parse(List.of("--config"), Map.of())).hasMessage("--config needs a value");
    }
}
