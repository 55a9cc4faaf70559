package dev.gantry.fn.imagerebuild;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.testing.ShippedLogConfiguration;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;

/** The function's log4j2.xml as Powertools leaves it when the function's level is the most verbose there is. */
class LogConfigurationTest {

    @Test
    void keepsTheAwsSdksDebugOutputOutOfTheLogWhenTheFunctionLogsAtTrace() {
        String sdk = ShippedLogConfiguration.writtenAt(Level.TRACE,
                "software.amazon.awssdk.http.auth.aws.internal.signer.DefaultV4RequestSigner", Level.DEBUG, Level.INFO, Level.WARN);
        String gantry = ShippedLogConfiguration.writtenAt(Level.TRACE, "dev.gantry.fn.imagerebuild.ImageRebuildHandler", Level.DEBUG);

        assertThat(sdk).as("the signer's canonical requests hold the session token").doesNotContain("at DEBUG").contains("at INFO", "at WARN");
        assertThat(gantry).contains("at DEBUG");
    }
}
