package dev.gantry.local;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.InvalidConfigException;
import dev.gantry.slack.SlackWebApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gantry on this machine, with no AWS account: synthesizes the stack for the configuration, then plays one whole
 * release through the functions' real handlers ({@link ReleaseStory}), told in a local Slack channel page
 * ({@link LocalSlack}) where the approval is given.
 *
 * <p>By default the functions run on the in-memory AWS ports the core tests use and DynamoDB Local ({@link EmbeddedAws});
 * with {@code --localstack} their state, queues and secrets are in a running LocalStack ({@link LocalStackAws}).
 *
 * <p>Exit status: 0 when every step came out as it should, 1 when one did not (or the configuration or LocalStack
 * cannot be used), 2 for arguments it does not understand.
 */
public final class LocalRun {

    static final int DEFAULT_PORT = 8642;
    static final String USAGE = """
            usage: scripts/run-local [--help] [--auto-approve] [--localstack[=URL]] [--port N] [--config FILE] [--no-synth] [--fail-rollout]
              --auto-approve    click Approve on the channel page without waiting for you
              --localstack      keep state, queues and secrets in LocalStack (default http://localhost:4566, or LOCALSTACK_ENDPOINT)
              --port N          the channel page's port (default %d; another when it is taken; 0 for any)
              --config FILE     the gantry.yml to play the release with (default local/gantry.yml)
              --no-synth        skip synthesizing the stack
              --fail-rollout    ECS rolls the first deploy back (its circuit breaker): what a failed release looks like""".formatted(DEFAULT_PORT);
    static final Path DEFAULT_CONFIG = Path.of("local", "gantry.yml");
    static final Path CLOUD_ASSEMBLY = Path.of("local", "target", "cdk.out");
    static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
    static final Duration APPROVAL_TIMEOUT = Duration.ofHours(1);

    /**
     * What to run.
     *
     * @param localStack LocalStack's address; null for the embedded AWS
     * @param holdPage keep the channel page up after the story until Enter is pressed
     */
    record Options(Path config, boolean autoApprove, URI localStack, int port, boolean synthesize, boolean failRollout, boolean holdPage) {

        /** @throws IllegalArgumentException naming the argument it does not understand */
        static Options parse(List<String> args, Map<String, String> environment) {
            Path config = DEFAULT_CONFIG;
            boolean autoApprove = false;
            URI localStack = null;
            int port = DEFAULT_PORT;
            boolean synthesize = true;
            boolean failRollout = false;
            for (int i = 0; i < args.size(); i++) {
                String arg = args.get(i);
                switch (arg) {
                    case "--auto-approve" -> autoApprove = true;
                    case "--no-synth" -> synthesize = false;
                    case "--fail-rollout" -> failRollout = true;
                    case "--localstack" -> localStack = URI.create(environment.getOrDefault("LOCALSTACK_ENDPOINT", LocalStackAws.DEFAULT_ENDPOINT));
                    case "--config" -> config = Path.of(value(args, ++i, arg));
                    case "--port" -> port = port(value(args, ++i, arg));
                    default -> {
                        if (arg.startsWith("--localstack=")) {
                            localStack = URI.create(arg.substring("--localstack=".length()));
                        } else if (arg.startsWith("--port=")) {
                            port = port(arg.substring("--port=".length()));
                        } else if (arg.startsWith("--config=")) {
                            config = Path.of(arg.substring("--config=".length()));
                        } else {
                            throw new IllegalArgumentException("unknown argument '" + arg + "'");
                        }
                    }
                }
            }
            return new Options(config, autoApprove, localStack, port, synthesize, failRollout, false);
        }

        Options holdingPage(boolean hold) {
            return new Options(config, autoApprove, localStack, port, synthesize, failRollout, hold);
        }

        private static String value(List<String> args, int at, String option) {
            if (at >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(at);
        }

        private static int port(String value) {
            try {
                int port = Integer.parseInt(value);
                if (port >= 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // Named below.
            }
            throw new IllegalArgumentException("--port takes a port number (0 to 65535), not '" + value + "'");
        }
    }

    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Path root;
    private final String searchPath;
    private final Clock clock = Clock.systemUTC();

    /**
     * @param in where the Enter that stops a run holding its page comes from
     * @param root the repository, where {@code events/}, {@code cdk/} and {@code local/} are
     * @param searchPath where Node is looked for (the {@code PATH})
     */
    LocalRun(PrintStream out, PrintStream err, InputStream in, Path root, String searchPath) {
        this.out = out;
        this.err = err;
        this.in = in;
        this.root = root;
        this.searchPath = searchPath;
    }

    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            return;
        }
        Options options;
        try {
            options = Options.parse(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("run-local: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        // Someone at a terminal may want to look around the channel once the story is told.
        boolean interactive = !options.autoApprove() && System.console() != null;
        int status = new LocalRun(System.out, System.err, System.in, Path.of("").toAbsolutePath(),
                System.getenv("PATH")).run(options.holdingPage(interactive));
        System.exit(status);
    }

    int run(Options options) {
        long started = System.nanoTime();
        Path configFile = root.resolve(options.config());
        GantryConfig config;
        StoryPlan plan;
        try {
            config = ConfigLoader.load(configFile);
            plan = StoryPlan.of(config, options.config());
        } catch (InvalidConfigException | StoryPlan.UnplayableConfigException e) {
            out.println(e.getMessage());
            return 1;
        }
        out.println("Gantry local run: " + options.config() + ", " + plan.service().name() + " from a new " + plan.base().repository()
                + " to " + plan.first().name() + " and, past gate '" + plan.gate().name() + "', " + plan.gated().name());

        Synthesis.Result synthesis = options.synthesize()
                ? new Synthesis(root, searchPath).run(configFile, root.resolve(CLOUD_ASSEMBLY))
                : Synthesis.skipped("--no-synth");
        printSynthesis(synthesis);

        LocalSecrets secrets = LocalSecrets.generate();
        Map<String, String> logSettings = Map.of("POWERTOOLS_LOG_LEVEL", System.getenv().getOrDefault("POWERTOOLS_LOG_LEVEL", "WARN"));
        boolean told;
        try (LocalAws aws = options.localStack() == null ? new EmbeddedAws(secrets, clock, logSettings)
                : new LocalStackAws(options.localStack(), System.getenv().getOrDefault("AWS_REGION", LocalStackAws.DEFAULT_REGION), secrets,
                        logSettings, err);
                LocalSlack slack = new LocalSlack(options.port(), new SlackWorkspace(clock),
                        new InteractionRequests(root.resolve("events"), app(config), secrets::signingSecret), app(config), users(plan),
                        secrets.botToken(), clock, err)) {
            LocalFunctions functions = new LocalFunctions(config, aws,
                    new SlackWebApi(aws.botToken(), slack.apiUrl(), SlackWebApi.RetryPolicy.DEFAULTS, SlackWebApi.Sleeper.THREAD), clock);
            slack.connect(functions.slackInteractions);
            out.println("AWS: " + aws.describe());
            out.println("Slack channel page: " + slack.pageUrl() + " (the bot token and signing secret are made up for this run)");
            out.println();
            // Lambda's event source mappings and EventBridge's schedule, each on a thread of its own.
            QueueTrigger notify = new QueueTrigger("gantry-chatops-notify", aws.notifyQueue(), functions.chatOpsNotify, LocalAws.ACCOUNT,
                    LocalAws.REGION, err).start();
            QueueTrigger worker = new QueueTrigger("gantry-chatops-worker", aws.requestQueue(), functions.chatOpsWorker, LocalAws.ACCOUNT,
                    LocalAws.REGION, err).start();
            GateSweepSchedule sweep = new GateSweepSchedule(functions.gateSweep, root.resolve("events"), clock, err).start();
            try {
                ReleaseStory story = new ReleaseStory(plan, functions, aws, slack, worker, root.resolve("events"), out,
                        new ReleaseStory.Settings(options.autoApprove(), options.failRollout(), STEP_TIMEOUT, APPROVAL_TIMEOUT), clock);
                told = story.play();
                printTiming(told, story, synthesis, started);
                if (options.holdPage()) {
                    holdPage(slack.pageUrl());
                }
            } finally {
                sweep.close();
                worker.close();
                notify.close();
            }
        } catch (LocalStackAws.LocalStackUnavailableException e) {
            out.println("LocalStack: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            out.println("The local Slack could not start: " + e.getMessage());
            return 1;
        }
        return told && !synthesis.failed() ? 0 : 1;
    }

    private void printTiming(boolean told, ReleaseStory story, Synthesis.Result synthesis, long started) {
        out.println();
        double storySeconds = story.elapsed().toMillis() / 1000.0;
        double runSeconds = (System.nanoTime() - started) / 1e9;
        if (told) {
            out.printf("Done: the whole release in %.1f s; the run took %.1f s after the build%s.%n", storySeconds, runSeconds,
                    synthesis.millis() > 0 ? " (synthesis " + String.format("%.1f", synthesis.millis() / 1000.0) + " s)" : "");
        } else {
            out.printf("Stopped after %d of %d steps, %.1f s into the release; the run took %.1f s after the build.%n", story.stepsDone(),
                    ReleaseStory.STEPS, storySeconds, runSeconds);
        }
    }

    private void printSynthesis(Synthesis.Result synthesis) {
        if (synthesis.skipped() != null) {
            out.println("Synthesis: skipped: " + synthesis.skipped());
        } else if (synthesis.failed()) {
            out.println("Synthesis: FAILED: " + synthesis.failure());
        } else {
            List<String> stacks = new ArrayList<>();
            synthesis.resources().forEach((stack, count) -> stacks.add("stack " + stack + " has " + count + " resources"));
            out.printf("Synthesis: %s; cloud assembly in %s (%.1f s)%n", String.join(", ", stacks), synthesis.cloudAssembly(),
                    synthesis.millis() / 1000.0);
        }
    }

    private void holdPage(URI page) {
        out.println("The channel page stays up at " + page + ": press Enter to stop.");
        try {
            new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            // Stopping is all that is left to do.
        }
    }

    private static InteractionRequests.App app(GantryConfig config) {
        return new InteractionRequests.App(config.slack().teamId(), LocalSlack.TEAM_DOMAIN, config.slack().appId(), LocalSlack.BOT_USER_ID,
                LocalSlack.BOT_ID);
    }

    /** The gate's approvers, by the first name {@code slack.people} gives each, else by their id. */
    private static List<InteractionRequests.User> users(StoryPlan plan) {
        return plan.approvers().stream()
                .map(id -> new InteractionRequests.User(id, plan.config().slack().people().getOrDefault(id, List.of()).stream().findFirst()
                        .orElse(id.toLowerCase())))
                .toList();
    }
}
