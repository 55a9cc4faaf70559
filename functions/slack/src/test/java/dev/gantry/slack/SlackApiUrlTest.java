package dev.gantry.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlackApiUrlTest {

    @Test
    void isSlackItselfUnlessConfigured() {
        assertThat(SlackApiUrl.from(Optional.empty())).isEqualTo(URI.create("https://slack.com"));
        assertThat(SlackApiUrl.from(Optional.of(" https://slack-gov.com "))).isEqualTo(URI.create("https://slack-gov.com"));
    }

    @Test
    void refusesWhatIsNotAnHttpAddressNamingTheSetting() {
        assertThatThrownBy(() -> SlackApiUrl.from(Optional.of("slack-gov.com")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GANTRY_SLACK_API_URL must be an http(s) address such as https://slack-gov.com, not 'slack-gov.com'");
        assertThatThrownBy(() -> SlackApiUrl.from(Optional.of("ftp://files.example.com"))).isInstanceOf(IllegalArgumentException.class);
    }
}
