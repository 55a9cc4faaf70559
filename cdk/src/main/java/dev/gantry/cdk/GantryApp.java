package dev.gantry.cdk;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.InvalidConfigException;
import dev.gantry.infra.ChatOps;
import dev.gantry.infra.ChatOpsProps;
import dev.gantry.infra.EcsReleasePipeline;
import dev.gantry.infra.GantryAutomationProps;
import dev.gantry.infra.GantryEnvironmentAccess;
import dev.gantry.infra.GantryEnvironmentAccessProps;
import dev.gantry.infra.GoldenImagePipeline;
import dev.gantry.infra.ImageRebuildAutomation;
import dev.gantry.infra.ReleaseGates;
import dev.gantry.infra.SchedulerCron;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;

/**
 * The CDK app {@code cdk synth} and {@code cdk deploy} run (see {@code cdk.json}): one {@link GantryStack}, built
 * from a {@code gantry.yml}.
 *
 * <p>Inputs, relative paths resolved against the {@code cdk/} directory:
 * <ul>
 *   <li>the configuration: context {@value #CONFIG_CONTEXT}, else the environment variable
 *       {@value ConfigLoader#CONFIG_ENV}, else {@value #DEFAULT_CONFIG};</li>
 *   <li>the ecs-deploy function jar: context {@value #ECS_DEPLOY_JAR_CONTEXT}, else {@value #DEFAULT_ECS_DEPLOY_JAR};</li>
 *   <li>the release-gate function jar, needed only when some environment names a gate: context
 *       {@value #RELEASE_GATE_JAR_CONTEXT}, else {@value #DEFAULT_RELEASE_GATE_JAR};</li>
 *   <li>the image-rebuild function jar, needed only when the configuration declares base images: context
 *       {@value #IMAGE_REBUILD_JAR_CONTEXT}, else {@value #DEFAULT_IMAGE_REBUILD_JAR};</li>
 *   <li>Gantry's account and region: context {@value #GANTRY_ACCOUNT_CONTEXT} and {@value #GANTRY_REGION_CONTEXT}, else
 *       {@code CDK_DEFAULT_ACCOUNT} and {@code CDK_DEFAULT_REGION} when set (the CDK CLI sets them from the current
 *       credentials), otherwise the stack is environment-agnostic.</li>
 * </ul>
 *
 * <p>Stacks: {@link GantryStack} ({@value GantryStack#STACK_NAME}) in Gantry's account, and a
 * {@link GantryEnvironmentStack} ({@code Gantry-<account>-<region>}) for each account and region holding environments
 * reached through a {@code roleArn}: the roles Gantry assumes there and the forwarding of their events. Those need
 * Gantry's account and region to be known.
 *
 * <p>Release pipelines ({@link EcsReleasePipeline}), none unless asked for:
 * <ul>
 *   <li>{@value ReleasePipelineSettings#SERVICES_CONTEXT}: comma-separated names of the services that get one; each needs
 *       at least two environments;</li>
 *   <li>{@value ReleasePipelineSettings#CONNECTION_CONTEXT}: a CodeStar connection to GitHub; without it, the stack
 *       creates one versioned source bucket (output {@value GantryStack#RELEASE_SOURCE_BUCKET_OUTPUT}) and each pipeline
 *       starts when {@code <service>/source.zip} is written there;</li>
 *   <li>{@value ReleasePipelineSettings#REPOSITORIES_CONTEXT}: with a connection, each service's repository,
 *       {@code service=owner/name,...};</li>
 *   <li>{@value ReleasePipelineSettings#BRANCH_CONTEXT}: with a connection, the branch released; default
 *       {@value ReleasePipelineSettings#DEFAULT_BRANCH};</li>
 *   <li>{@value #GOLDEN_IMAGE_PIPELINES_CONTEXT}: comma-separated base images that get a {@link GoldenImagePipeline}, with
 *       the same source as the release pipelines ({@code <base image>/source.zip}, or the base's repository in
 *       {@value ReleasePipelineSettings#REPOSITORIES_CONTEXT}).</li>
 * </ul>
 *
 * <p>Slack, by the ARNs of Secrets Manager secrets (the functions get the ARNs and read the values at run time; no value
 * enters the template):
 * <ul>
 *   <li>{@value #SLACK_BOT_TOKEN_SECRET_CONTEXT}: the secret holding the Slack bot token. Alone, it serves gates whose
 *       approvers include Slack user groups; without it only approvers listed by user id count;</li>
 *   <li>{@value #SLACK_SIGNING_SECRET_CONTEXT}: the secret holding the Slack app's signing secret. Given, it turns on
 *       ChatOps ({@link ChatOps}: the {@code /gantry} command, approvals and release threads in Slack, and the stack's one
 *       public endpoint, output {@value GantryStack#SLACK_INTERACTIVITY_URL_OUTPUT}). ChatOps needs the configuration's
 *       {@code slack} section and {@value #SLACK_BOT_TOKEN_SECRET_CONTEXT} as well;</li>
 *   <li>{@value #CHATOPS_JAR_CONTEXT}: with ChatOps, the jar of chatops-worker and chatops-notify; default
 *       {@value #DEFAULT_CHATOPS_JAR};</li>
 *   <li>{@value #SLACK_INTERACTIONS_JAR_CONTEXT}: with ChatOps, slack-interactions' own jar; default
 *       {@value #DEFAULT_SLACK_INTERACTIONS_JAR}.</li>
 * </ul>
 * A configuration with a {@code slack} section and neither secret gets no ChatOps, so the example synthesizes without
 * a Slack app.
 *
 * <p>An invalid configuration, a base image schedule EventBridge Scheduler cannot run, a missing jar the stack needs,
 * release-pipeline context the configuration cannot serve, or Slack context that is not a secret ARN or gives ChatOps
 * only half of what it needs ends synthesis with a message on stderr and exit status 1.
 */
public final class GantryApp {

    public static final String CONFIG_CONTEXT = "config";
    public static final String ECS_DEPLOY_JAR_CONTEXT = "ecsDeployJar";
    public static final String DEFAULT_CONFIG = "../examples/gantry.yml";
    public static final String DEFAULT_ECS_DEPLOY_JAR = "../functions/ecs-deploy/target/gantry-ecs-deploy-lambda.jar";
    public static final String RELEASE_GATE_JAR_CONTEXT = "releaseGateJar";
    /** The ARN of the Secrets Manager secret holding the Slack bot token: gates with Slack user-group approvers read it. */
    public static final String SLACK_BOT_TOKEN_SECRET_CONTEXT = "slackBotTokenSecretArn";
    public static final String DEFAULT_RELEASE_GATE_JAR = "../functions/release-gate/target/gantry-release-gate-lambda.jar";
    public static final String IMAGE_REBUILD_JAR_CONTEXT = "imageRebuildJar";
    public static final String DEFAULT_IMAGE_REBUILD_JAR = "../functions/image-rebuild/target/gantry-image-rebuild-lambda.jar";
    /** The ARN of the Secrets Manager secret holding the Slack app's signing secret: given, it turns ChatOps on. */
    public static final String SLACK_SIGNING_SECRET_CONTEXT = "slackSigningSecretArn";
    public static final String CHATOPS_JAR_CONTEXT = "chatOpsJar";
    public static final String DEFAULT_CHATOPS_JAR = "../functions/chatops/target/gantry-chatops-lambda.jar";
    public static final String SLACK_INTERACTIONS_JAR_CONTEXT = "slackInteractionsJar";
    public static final String DEFAULT_SLACK_INTERACTIONS_JAR =
            "../functions/slack-interactions/target/gantry-slack-interactions-lambda.jar";

    /** Comma-separated base images that get a {@link GoldenImagePipeline}; none by default. */
    public static final String GOLDEN_IMAGE_PIPELINES_CONTEXT = "goldenImagePipelines";

    /** Gantry's own account, when synthesizing without credentials for it; else the CDK CLI's default account. */
    public static final String GANTRY_ACCOUNT_CONTEXT = "gantryAccount";
    /** Gantry's own region, when synthesizing without credentials; else the CDK CLI's default region. */
    public static final String GANTRY_REGION_CONTEXT = "gantryRegion";

    /** Set by the exec plugin to the module directory; Maven's working directory is wherever it was started. */
    static final String CDK_DIR_PROPERTY = "gantry.cdk.dir";

    private static final String STACK_ID = "Gantry";

    private GantryApp() {}

    public static void main(String[] args) {
        int status = run(new App(), System.getenv(), cdkDirectory(), System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Builds the stack into {@code app} and synthesizes it.
     *
     * @return 0 on success, 1 when the inputs are unusable (the reason is written to {@code err})
     */
    static int run(App app, Map<String, String> environment, Path cdkDir, PrintStream err) {
        Inputs inputs = Inputs.resolve(app, environment, cdkDir);
        try {
            build(app, inputs, environment);
        } catch (InvalidConfigException e) {
            err.println(e.getMessage());
            err.println("(configuration file: " + inputs.configFile() + ")");
            return 1;
        } catch (SchedulerCron.UnconvertibleCronException e) {
            err.println(e.getMessage());
            err.println("(configuration file: " + inputs.configFile() + ")");
            return 1;
        } catch (MissingJarException | ReleasePipelineSettings.InvalidContextException | SlackContextException
                | EnvironmentContextException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            // What the automation's props refuse, e.g. a golden-image pipeline without its GitHub repository.
            err.println(e.getMessage());
            return 1;
        }
        app.synth();
        return 0;
    }

    /**
     * Adds the Gantry stack to {@code app}.
     *
     * @throws InvalidConfigException when the configuration is missing or invalid
     * @throws SchedulerCron.UnconvertibleCronException when a base image's schedule cannot be run by EventBridge Scheduler
     * @throws MissingJarException when a function jar the stack ships has not been built
     * @throws ReleasePipelineSettings.InvalidContextException when the release-pipeline context is malformed or names a
     *     service that cannot have a pipeline
     * @throws SlackContextException when a Slack context is not a secret ARN, or ChatOps is asked for without all it needs
     */
    static GantryStack build(App app, Inputs inputs, Map<String, String> environment) {
        GantryConfig config = ConfigLoader.load(inputs.configFile());
        requireJar(inputs.ecsDeployJar(), "ecs-deploy", ECS_DEPLOY_JAR_CONTEXT);
        if (ReleaseGates.anyGatedEnvironment(config)) {
            requireJar(inputs.releaseGateJar(), "release-gate", RELEASE_GATE_JAR_CONTEXT);
        }
        if (!config.baseImages().isEmpty()) {
            // Checked before the jar: a schedule that cannot run is wrong whatever is built.
            ImageRebuildAutomation.schedulerExpressions(config);
            requireJar(inputs.imageRebuildJar(), "image-rebuild", IMAGE_REBUILD_JAR_CONTEXT);
        }
        String slackBotTokenSecretArn = secretArnContext(app, SLACK_BOT_TOKEN_SECRET_CONTEXT);
        String slackSigningSecretArn = secretArnContext(app, SLACK_SIGNING_SECRET_CONTEXT);
        if (slackSigningSecretArn != null) {
            requireChatOpsContext(config, slackBotTokenSecretArn);
            requireJar(inputs.chatOpsJar(), "chatops", CHATOPS_JAR_CONTEXT);
            requireJar(inputs.slackInteractionsJar(), "slack-interactions", SLACK_INTERACTIONS_JAR_CONTEXT);
        }
        ReleasePipelineSettings pipelines = ReleasePipelineSettings.fromContext(key -> Inputs.context(app, key));
        for (String service : pipelines.services()) {
            try {
                EcsReleasePipeline.requireReleasable(config, service);
            } catch (IllegalArgumentException e) {
                throw new ReleasePipelineSettings.InvalidContextException("-c " + ReleasePipelineSettings.SERVICES_CONTEXT + ": "
                        + e.getMessage());
            }
        }
        Environment gantryEnvironment = environment(app, environment);
        List<String> environmentAccounts = GantryEnvironmentAccess.environmentAccounts(config);
        if (!environmentAccounts.isEmpty() && (gantryEnvironment == null || gantryEnvironment.getAccount() == null
                || gantryEnvironment.getRegion() == null)) {
            throw new EnvironmentContextException("gantry.yml reaches environments in account(s) " + String.join(", ", environmentAccounts)
                    + " through a roleArn, and the stacks giving Gantry those roles must say which account and region may assume "
                    + "them: run with AWS credentials for Gantry's account (the CDK CLI then sets CDK_DEFAULT_ACCOUNT and "
                    + "CDK_DEFAULT_REGION), or pass -c " + GANTRY_ACCOUNT_CONTEXT + "=<12-digit id> -c " + GANTRY_REGION_CONTEXT + "=<region>");
        }
        for (String account : environmentAccounts) {
            for (String region : GantryEnvironmentAccess.environmentRegions(config, account)) {
                new GantryEnvironmentStack(app, GantryEnvironmentAccessProps.builder()
                        .config(config)
                        .gantryAccount(gantryEnvironment.getAccount())
                        .gantryRegion(gantryEnvironment.getRegion())
                        .account(account)
                        .region(region)
                        .build());
            }
        }
        return new GantryStack(app, STACK_ID, new GantryStackProps(GantryAutomationProps.builder()
                .config(config)
                .configFile(inputs.configFile())
                .ecsDeployJar(inputs.ecsDeployJar())
                .releaseGateJar(inputs.releaseGateJar())
                .imageRebuildJar(inputs.imageRebuildJar())
                .chatOpsJar(slackSigningSecretArn == null ? null : inputs.chatOpsJar())
                .slackInteractionsJar(slackSigningSecretArn == null ? null : inputs.slackInteractionsJar())
                .slackBotTokenSecretArn(slackBotTokenSecretArn)
                .slackSigningSecretArn(slackSigningSecretArn)
                .releasePipelines(pipelines.services())
                .goldenImagePipelines(goldenImagePipelines(app, config))
                .sourceConnectionArn(pipelines.connectionArn())
                .sourceRepositories(pipelines.repositories())
                .sourceBranch(pipelines.branch())
                .build(), gantryEnvironment));
    }

    /**
     * The signing secret is what asks for ChatOps, and with it the stack's one public endpoint; the bot token alone still
     * serves gates only, as before ChatOps. So only a signing secret without the rest is an error.
     */
    private static void requireChatOpsContext(GantryConfig config, String slackBotTokenSecretArn) {
        if (config.slack() == null) {
            throw new SlackContextException("-c " + SLACK_SIGNING_SECRET_CONTEXT + " asks for ChatOps, but gantry.yml has no 'slack' "
                    + "section to say where Gantry posts: add one (docs/configuration.md) or leave the context out");
        }
        if (slackBotTokenSecretArn == null) {
            throw new SlackContextException("ChatOps needs -c " + SLACK_BOT_TOKEN_SECRET_CONTEXT + "=<ARN of the Secrets Manager "
                    + "secret holding the Slack bot token> beside -c " + SLACK_SIGNING_SECRET_CONTEXT
                    + ": without it Gantry can answer in Slack but never post there");
        }
    }

    /** The context's value when set; a value that is not a secret ARN is refused without being repeated, as it may be the secret. */
    private static String secretArnContext(App app, String key) {
        String value = blankToNull(Inputs.context(app, key));
        if (value != null && !ChatOpsProps.isSecretArn(value)) {
            throw new SlackContextException("-c " + key + " must be the ARN of a Secrets Manager secret "
                    + "(arn:aws:secretsmanager:<region>:<account>:secret:<name>), never the secret's value; the value given is "
                    + "not such an ARN");
        }
        return value;
    }

    private static void requireJar(Path jar, String function, String contextKey) {
        if (!Files.isRegularFile(jar)) {
            throw new MissingJarException(jar, function, contextKey);
        }
    }

    /**
     * The base images named in the context, each checked to be one Gantry can build.
     *
     * @throws ReleasePipelineSettings.InvalidContextException naming the base that cannot have a golden-image pipeline
     */
    private static List<String> goldenImagePipelines(App app, GantryConfig config) {
        String value = blankToNull(Inputs.context(app, GOLDEN_IMAGE_PIPELINES_CONTEXT));
        List<String> baseImages = value == null ? List.of()
                : Arrays.stream(value.split(",")).map(String::strip).filter(name -> !name.isEmpty()).toList();
        for (String baseImage : baseImages) {
            try {
                GoldenImagePipeline.requireBuildable(config, baseImage);
            } catch (IllegalArgumentException e) {
                throw new ReleasePipelineSettings.InvalidContextException("-c " + GOLDEN_IMAGE_PIPELINES_CONTEXT + ": " + e.getMessage());
            }
        }
        return baseImages;
    }

    /** Gantry's own account and region: the context's when given, else the CDK CLI's from the current credentials. */
    private static Environment environment(App app, Map<String, String> environment) {
        String account = blankToNull(Inputs.context(app, GANTRY_ACCOUNT_CONTEXT));
        if (account == null) {
            account = blankToNull(environment.get("CDK_DEFAULT_ACCOUNT"));
        } else if (!account.matches("\\d{12}")) {
            throw new EnvironmentContextException("-c " + GANTRY_ACCOUNT_CONTEXT + " must be a 12-digit AWS account id, was '" + account + "'");
        }
        String region = blankToNull(Inputs.context(app, GANTRY_REGION_CONTEXT));
        if (region == null) {
            region = blankToNull(environment.get("CDK_DEFAULT_REGION"));
        }
        if (account == null && region == null) {
            return null;
        }
        return Environment.builder().account(account).region(region).build();
    }

    /** The cdk/ module directory, wherever the JVM was started. */
    static Path cdkDirectory() {
        String configured = System.getProperty(CDK_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path workingDir = Path.of("").toAbsolutePath();
        for (Path candidate : new Path[] {workingDir, workingDir.resolve("cdk")}) {
            if (Files.isRegularFile(candidate.resolve("cdk.json"))) {
                return candidate.normalize();
            }
        }
        return workingDir;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    /** The files the stack is built from, as absolute paths. */
    record Inputs(Path configFile, Path ecsDeployJar, Path releaseGateJar, Path imageRebuildJar, Path chatOpsJar,
            Path slackInteractionsJar) {

        static Inputs resolve(App app, Map<String, String> environment, Path cdkDir) {
            String config = firstSet(context(app, CONFIG_CONTEXT), environment.get(ConfigLoader.CONFIG_ENV), DEFAULT_CONFIG);
            String ecsDeployJar = firstSet(context(app, ECS_DEPLOY_JAR_CONTEXT), DEFAULT_ECS_DEPLOY_JAR);
            String releaseGateJar = firstSet(context(app, RELEASE_GATE_JAR_CONTEXT), DEFAULT_RELEASE_GATE_JAR);
            String imageRebuildJar = firstSet(context(app, IMAGE_REBUILD_JAR_CONTEXT), DEFAULT_IMAGE_REBUILD_JAR);
            String chatOpsJar = firstSet(context(app, CHATOPS_JAR_CONTEXT), DEFAULT_CHATOPS_JAR);
            String slackInteractionsJar = firstSet(context(app, SLACK_INTERACTIONS_JAR_CONTEXT), DEFAULT_SLACK_INTERACTIONS_JAR);
            return new Inputs(cdkDir.resolve(config).normalize(), cdkDir.resolve(ecsDeployJar).normalize(),
                    cdkDir.resolve(releaseGateJar).normalize(), cdkDir.resolve(imageRebuildJar).normalize(),
                    cdkDir.resolve(chatOpsJar).normalize(), cdkDir.resolve(slackInteractionsJar).normalize());
        }

        private static String context(App app, String key) {
            Object value = app.getNode().tryGetContext(key);
            return value == null ? null : value.toString();
        }

        private static String firstSet(String... values) {
            for (String value : values) {
                if (value != null && !value.isBlank()) {
                    return value;
                }
            }
            throw new IllegalStateException("the last value is a default and always set");
        }
    }

    /** Slack context that is not a secret ARN, or asks for ChatOps without all it needs. */
    static final class SlackContextException extends RuntimeException {
        SlackContextException(String message) {
            super(message);
        }
    }

    /** Gantry's account or region is unknown or malformed where the stacks need it. */
    static final class EnvironmentContextException extends RuntimeException {
        EnvironmentContextException(String message) {
            super(message);
        }
    }

    /** A function jar the stack ships has not been built. */
    static final class MissingJarException extends RuntimeException {
        MissingJarException(Path jar, String function, String contextKey) {
            super("The " + function + " function jar " + jar + " does not exist.\n"
                    + "Build it first, from the repository root: ./mvnw -DskipTests package\n"
                    + "(or name another jar with -c " + contextKey + "=<path>)");
        }
    }
}
