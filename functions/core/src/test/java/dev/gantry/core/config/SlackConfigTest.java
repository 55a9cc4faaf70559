package dev.gantry.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SlackConfigTest {

    private static final SlackConfig SLACK = new SlackConfig("#releases", null, Map.of(), Map.of(
            "U024BE7LH", List.of("jane.doe@example.com", "arn:aws:iam::111111111111:role/jane", "Jane Doe"),
            "U0G9QF9C6", List.of("sam@example.com", " Sam.Roe@Example.com "),
            "W012A3CDE", List.of("ci-bot", "Jane Doe")));

    static Stream<Arguments> identities() {
        return Stream.of(
                row("a commit e-mail address", List.of("jane.doe@example.com"), "U024BE7LH"),
                row("an e-mail address in another case", List.of("JANE.DOE@EXAMPLE.COM"), "U024BE7LH"),
                row("an IAM role ARN", List.of("arn:aws:iam::111111111111:role/jane"), "U024BE7LH"),
                row("an identity with surrounding blanks", List.of("  sam@example.com\n"), "U0G9QF9C6"),
                row("an alias written with blanks and capitals in the configuration", List.of("sam.roe@example.com"), "U0G9QF9C6"),
                row("a listed Slack user id itself", List.of("U024BE7LH"), "U024BE7LH"),
                row("a listed Slack user id in lower case", List.of("u024be7lh"), "U024BE7LH"),
                row("a name two people go by names both", List.of("jane doe"), "U024BE7LH", "W012A3CDE"),
                row("several identities of different people", List.of("ci-bot", "sam@example.com"), "U0G9QF9C6", "W012A3CDE"),
                row("several identities of one person name them once", List.of("jane.doe@example.com", "arn:aws:iam::111111111111:role/jane"),
                        "U024BE7LH"),
                row("an unknown identity names nobody", List.of("mallory@example.com")),
                row("part of an alias is not the alias", List.of("jane")),
                row("an unlisted Slack user id names nobody", List.of("U0UNLISTED")),
                row("blank and missing identities are skipped", Arrays.asList("", "  ", null)),
                row("no identities at all", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("identities")
    void findsTheSlackUsersBehindIdentities(String scenario, List<String> identities, List<String> expectedUsers) {
        // when
        Set<String> users = SLACK.slackUsersFor(identities);

        // then
        assertThat(users).containsExactlyInAnyOrderElementsOf(expectedUsers);
    }

    @Test
    void findsNobodyWhenNoPeopleAreListed() {
        // given: even a Slack user id is only recognised when its person is listed
        SlackConfig withoutPeople = new SlackConfig("#releases", null, Map.of());

        // when
        Set<String> users = withoutPeople.slackUsersFor(List.of("jane.doe@example.com", "U024BE7LH"));

        // then
        assertThat(users).isEmpty();
    }

    private static Arguments row(String scenario, List<String> identities, String... expectedUsers) {
        return Arguments.of(scenario, identities, List.of(expectedUsers));
    }
}
