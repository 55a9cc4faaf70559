package dev.gantry.infra;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awscdk.ArnComponents;
import software.amazon.awscdk.ArnFormat;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.dynamodb.ITable;

/**
 * What evaluating the configuration's gates needs: keeping gate records in the state table, reading CloudWatch alarms,
 * reading Systems Manager Change Calendars and invoking the Lambda functions behind custom checks.
 *
 * <p>Only gates an environment refers to are evaluated, so only they count, and only the checks they use: a
 * configuration without change calendars grants no {@code ssm} permission, one without alarms no {@code cloudwatch}
 * permission. A calendar or function named without an ARN is looked up in the stack's account and region, where the
 * functions run and where their clients point; an ARN is taken as written.
 */
final class GateCheckPermissions {

    // Lambda accepts "123456789012:function:name" as well as a name or an ARN; the account in it is the function's.
    private static final Pattern PARTIAL_FUNCTION_ARN = Pattern.compile("(\\d{12}):function:(.+)");

    private final Stack stack;
    private final ITable table;
    private final List<GateConfig> gatesInUse;

    /** The variable naming the Slack bot token's secret to the functions; the same name their wiring reads. */
    static final String SLACK_TOKEN_SECRET_ENV = "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN";

    private final String slackBotTokenSecretArn;

    GateCheckPermissions(Stack stack, GantryConfig config, ITable table) {
        this(stack, config, table, null);
    }

    /**
     * @param slackBotTokenSecretArn the Secrets Manager secret holding the Slack bot token, for gates that let Slack user
     *     groups approve; null when there is none (then only approvers listed by user id count)
     */
    GateCheckPermissions(Stack stack, GantryConfig config, ITable table, String slackBotTokenSecretArn) {
        this.stack = stack;
        this.table = table;
        this.gatesInUse = gatesInUse(config);
        this.slackBotTokenSecretArn = slackBotTokenSecretArn;
    }

    /** Whether a gate in use lets Slack user groups approve. */
    boolean readsApproverGroups() {
        return gatesInUse.stream().anyMatch(g -> g.approvals() != null && !g.approvals().groups().isEmpty());
    }

    /** True when some environment names a gate, so there is something to evaluate at all. */
    static boolean anyGatedEnvironment(GantryConfig config) {
        return !gatesInUse(config).isEmpty();
    }

    /** Grants {@code function} every read and invoke the gates in use need; nothing for checks no gate uses. */
    void grantTo(GantryFunction function) {
        if (gatesInUse.isEmpty()) {
            return;
        }
        // On top of every function's item reads and writes: a gate record is written in one transaction with its entry in
        // the due index, which is deleted once the record is no longer due, and the sweep reads due records in batches.
        table.grant(function.function(), "dynamodb:DeleteItem", "dynamodb:BatchGetItem");
        if (readsAlarms()) {
            // DescribeAlarms accepts alarm ARNs as resources, but CloudWatch returns composite alarms only to a permission
            // on "*" (CloudWatch permissions reference). A gate may watch composite alarms, by name or under a prefix, and
            // the alarm adapter asks for both kinds: under a narrower scope a composite alarm in ALARM below a watched
            // prefix would be left out of the answer without an error, and the gate would pass. The action reads alarm
            // state and configuration, nothing else.
            function.allow(List.of("cloudwatch:DescribeAlarms"), List.of("*"));
        }
        function.allow(List.of("ssm:GetCalendarState"), changeCalendarArns());
        function.allow(List.of("lambda:InvokeFunction"), customCheckFunctionArns());
        if (readsApproverGroups() && slackBotTokenSecretArn != null) {
            // The token itself never enters the template or the environment: only the secret's ARN does, and the
            // function reads the value at run time.
            function.function().addEnvironment(SLACK_TOKEN_SECRET_ENV, slackBotTokenSecretArn);
            function.allow(List.of("secretsmanager:GetSecretValue"), List.of(slackBotTokenSecretArn));
        }
    }

    /** Whether a gate in use watches alarms. */
    boolean readsAlarms() {
        return gatesInUse.stream().anyMatch(g -> g.alarms() != null);
    }

    /** The document ARNs of the change calendars the gates in use read. */
    List<String> changeCalendarArns() {
        return distinct(gatesInUse.stream().flatMap(g -> g.freezes().stream()).map(GateConfig.Freeze::changeCalendar),
                calendar -> calendar.startsWith("arn:") ? calendar : arn("ssm", null, "document", calendar, ArnFormat.SLASH_RESOURCE_NAME));
    }

    /** The functions behind the custom checks of the gates in use; a qualified name stays qualified. */
    List<String> customCheckFunctionArns() {
        return distinct(gatesInUse.stream().flatMap(g -> g.custom().stream()).map(GateConfig.CustomCheck::lambda),
                this::functionArn);
    }

    private String functionArn(String lambda) {
        if (lambda.startsWith("arn:")) {
            return lambda;
        }
        Matcher partial = PARTIAL_FUNCTION_ARN.matcher(lambda);
        if (partial.matches()) {
            return arn("lambda", partial.group(1), "function", partial.group(2), ArnFormat.COLON_RESOURCE_NAME);
        }
        return arn("lambda", null, "function", lambda, ArnFormat.COLON_RESOURCE_NAME);
    }

    /** In the stack's region, and in its account unless {@code account} names another. */
    private String arn(String service, String account, String resource, String name, ArnFormat format) {
        return stack.formatArn(ArnComponents.builder()
                .service(service)
                .account(account)
                .resource(resource)
                .resourceName(name)
                .arnFormat(format)
                .build());
    }

    private static List<GateConfig> gatesInUse(GantryConfig config) {
        TreeSet<String> names = new TreeSet<>();
        for (ServiceConfig service : config.services()) {
            service.environments().stream().filter(EnvironmentConfig::gated).map(EnvironmentConfig::gate).forEach(names::add);
        }
        return names.stream().flatMap(name -> config.gate(name).stream()).toList();
    }

    /**
     * Distinct, in the order of the configured values: mapped ARNs may hold the stack's unresolved account and region, so
     * the values they came from are what sorts them the same on every synth.
     */
    private static List<String> distinct(Stream<String> configured, Function<String, String> toArn) {
        return configured.filter(Objects::nonNull).distinct().sorted().map(toArn).distinct().toList();
    }
}
