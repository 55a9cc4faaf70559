package dev.gantry.core.deploy;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A task-definition revision's ARN, {@code arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>},
 * read into its family and revision number.
 */
public record TaskDefinitionArn(String arn, String family, int revision) {

    // Family names are letters, digits, '-' and '_' (at most 255); the revision is a positive number.
    private static final Pattern ARN = Pattern.compile("arn:[a-z-]+:ecs:[a-z0-9-]+:\\d{12}:task-definition/([A-Za-z0-9_-]{1,255}):(\\d{1,9})");

    /**
     * @throws IllegalArgumentException when {@code arn} is not the ARN of a task-definition revision
     */
    public static TaskDefinitionArn parse(String arn) {
        Matcher m = arn == null ? null : ARN.matcher(arn);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("'" + arn + "' is not a task-definition revision ARN");
        }
        return new TaskDefinitionArn(arn, m.group(1), Integer.parseInt(m.group(2)));
    }

    /** The family of {@code arn}, or empty when it is no task-definition revision ARN. */
    public static java.util.Optional<String> familyOf(String arn) {
        Matcher m = arn == null ? null : ARN.matcher(arn);
        return m != null && m.matches() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return family + ":" + revision;
    }
}
