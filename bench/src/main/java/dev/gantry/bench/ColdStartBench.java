package dev.gantry.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.aws.lambda.Invoke;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code scripts/bench cold-start}: every function the CDK stack deploys, started in a fresh JVM per run and timed from
 * process start to its first event handled, against {@link RecordingLoopbackAws}; and beside it, in the same rounds,
 * the floor ({@link BareHandler}: the same event read and the same HTTP calls made by a bare JVM) and the function's
 * boto3 twin ({@code scripts/bench-python/<function>.py}: the same AWS calls made by Python and boto3).
 *
 * <p>A round runs the function first, takes the calls the loopback recorded from it, and hands them to the floor and
 * the twin (in turns, which goes first), each against its own endpoint and its own DynamoDB, whose state has followed
 * the same calls. A round fails, and with it the bench, when the function did not do its work, when a call went
 * unanswered, or when the floor or the twin made other calls or got other answers than the function: the figures
 * would compare different work. The first round of every function warms the loopback and is not counted.
 *
 * <p>Arguments: {@code RUNS [FUNCTION...]}; system properties {@code bench.java} (the java launcher for the functions
 * and the floor), {@code bench.python} ({@code /usr/bin/python3}), {@code bench.work} (a scratch directory),
 * {@code bench.functionFlags} (more flags for the functions' JVMs only).
 */
public final class ColdStartBench {

    /** The functions' JIT, as the CDK stack sets it in JAVA_TOOL_OPTIONS; the floor gets the same. */
    static final List<String> JVM_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1");
    /**
     * Flags for the functions' JVMs beside {@link #JVM_FLAGS}, from {@code bench.functionFlags}: how a candidate flag is
     * measured against the same round's floor and twin before the stack adopts it (e.g. a class-data archive).
     */
    static final List<String> FUNCTION_FLAGS = List.of(System.getProperty("bench.functionFlags", "").trim().split("\\s+"))
            .stream().filter(flag -> !flag.isEmpty()).toList();
    /**
     * What every contender says on stderr the moment its event is handled (Invoke when the handler returns, the floor and
     * the twin after their last call): each is timed to this line, not to its exit (decision 29 says why).
     */
    static final String HANDLED = "bench: event handled";
    static final String BOT_TOKEN_SECRET = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-bot-AbCdEf";
    static final String SIGNING_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111111111111:secret:gantry/slack-signing-AbCdEf";
    static final String NOTIFY_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-notify.fifo";
    static final String REQUEST_QUEUE = "https://sqs.eu-west-1.amazonaws.com/111111111111/gantry-chatops-requests";
    /** The deployment the canned UpdateService answer starts; its completion is rollout-follow's event. */
    static final String DEPLOYMENT_ID = "ecs-svc/2222222222222222222";
    /**
     * Who clicks Approve in chatops-approve: one of the production gate's approvers in examples/gantry.yml, and not who
     * triggered the release (the prod gate job's dev@example.com), so the worker counts the click.
     */
    static final String APPROVER = "U0EXAMPLE2";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A function as the bench drives it: the name its figures go by, the handler that serves it, the event of each round,
     * what its run must show for the round to count, and the functions run before each round, in order, untimed, to set
     * the stage (their calls replayed on the other contenders' endpoints too).
     */
    record Function(String name, String handler, BiFunction<Integer, Round, byte[]> event, Done done, List<Function> seeds,
            boolean rolloutDone) {
        /** A function whose figures go by its handler's name. */
        Function(String name, BiFunction<Integer, Round, byte[]> event, Done done, List<Function> seeds, boolean rolloutDone) {
            this(name, name, event, done, seeds, rolloutDone);
        }

        /** The jar of the module that serves the handler. */
        Path jar() {
            String module = Optional.ofNullable(SERVING.get(handler))
                    .orElseThrow(() -> new BenchFailed("no module under functions/ lists " + handler + " in its " + FUNCTIONS_LISTED));
            Path jar = Path.of("functions", module, "target", "gantry-" + module + "-lambda.jar");
            if (!Files.exists(jar)) {
                throw new BenchFailed(jar + " is not built: ./mvnw -DskipTests package -pl functions/" + module + " -am");
            }
            return jar;
        }
    }

    private static final String FUNCTIONS_LISTED = "src/main/resources/META-INF/gantry/functions.properties";
    /**
     * The module serving each handler, as each module's list of the functions its jar serves says: the bench follows a
     * function that moves from one jar to another.
     */
    private static final Map<String, String> SERVING = servingModules();

    private static Map<String, String> servingModules() {
        Map<String, String> serving = new TreeMap<>();
        try (var modules = Files.list(Path.of("functions"))) {
            for (Path module : modules.sorted().toList()) {
                Path listed = module.resolve(FUNCTIONS_LISTED);
                if (Files.exists(listed)) {
                    Properties functions = new Properties();
                    try (var in = Files.newBufferedReader(listed, StandardCharsets.UTF_8)) {
                        functions.load(in);
                    }
                    functions.stringPropertyNames().forEach(handler -> serving.put(handler, module.getFileName().toString()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serving;
    }

    /**
     * What a round's event may build on: the contender it is made for (its endpoint is where a Slack response_url points)
     * and that contender's calls in the last seed run of the same round.
     */
    record Round(String contender, List<ObjectNode> seedCalls) {}

    /**
     * What a run must show, in its output or in the calls the loopback saw from it, for the round to count: a function
     * that answered without doing the work would time something else.
     */
    @FunctionalInterface
    interface Done {
        /** Why the run does not count; empty when it did its work. */
        Optional<String> lacking(String output, List<ObjectNode> calls);

        /** The output matches {@code pattern}. */
        static Done shows(String pattern) {
            Pattern compiled = Pattern.compile(pattern);
            return (output, calls) -> compiled.matcher(output).find() ? Optional.empty()
                    : Optional.of("its output shows no " + pattern);
        }

        default Done and(Done next) {
            return (output, calls) -> lacking(output, calls).or(() -> next.lacking(output, calls));
        }
    }

    /** One contender's run: how long, how much memory, and the calls the loopback saw. */
    record Run(long millis, long peakKib, List<ObjectNode> calls) {}

    private final Path work;
    private final String javaLauncher;
    private final String python;
    private final Path config;
    private final RecordingLoopbackAws aws;
    private final Optional<Path> gnuTime;
    private final Map<String, Function> functions = new LinkedHashMap<>();
    private long unique = ProcessHandle.current().pid() * 1_000_000L;

    ColdStartBench(Path work, String java, String python, RecordingLoopbackAws aws) throws IOException {
        this.work = work;
        this.javaLauncher = java;
        this.python = python;
        this.aws = aws;
        this.config = benchConfig(work);
        this.gnuTime = Files.isExecutable(Path.of("/usr/bin/time")) ? Optional.of(Path.of("/usr/bin/time")) : Optional.empty();
        // The sweep first: no release waits at a gate yet, so it is the usual minute's run, one query finding nothing due.
        add(new Function("gate-sweep", (i, r) -> withFreshId(event("gantry-scheduled-event-gate-sweep.json")),
                Done.shows("\"lines\""), List.of(), false));
        add(new Function("ecs-deploy", (i, r) -> ecrPush("gantry-ecr-push-payments-api-1.4.0.json"),
                Done.shows("\"DEPLOYED\""), List.of(), false));
        add(new Function("pipeline-deploy", (i, r) -> pipelineJob("gantry-codepipeline-job-payments-api-staging.json"),
                Done.shows("\"outcome\"\\s*:\\s*\"SUCCEEDED\""), List.of(), false));
        add(new Function("rollout-follow", (i, r) -> rolloutCompleted(),
                Done.shows("\"ignored\"\\s*:\\s*false"), List.of(functions.get("ecs-deploy")), true));
        add(new Function("pipeline-gate", (i, r) -> pipelineJob("gantry-codepipeline-job-payments-api-prod-gate.json"),
                Done.shows("\"outcome\"\\s*:\\s*\"CONTINUED\""), List.of(), false));
        add(new Function("ecs-gate-hook", (i, r) -> lifecycleHook(),
                Done.shows("\"hookStatus\"\\s*:\\s*\"IN_PROGRESS\""), List.of(), false));
        add(new Function("image-rebuild", (i, r) -> ecrPush("gantry-ecr-push-golden-java21.json"),
                Done.shows("\"result\"\\s*:\\s*\"REBUILDING\""), List.of(), false));
        Done acknowledged = Done.shows("\"statusCode\"\\s*:\\s*200");
        Done noBatchFailures = Done.shows("\"batchItemFailures\"\\s*:\\s*\\[\\s*\\]");
        add(new Function("slack-interactions", (i, r) -> slashCommand(r, "status payments-api", "U0ALICE01"), acknowledged,
                List.of(), false));
        add(new Function("chatops-worker", (i, r) -> queued(r, REQUEST_QUEUE, false), noBatchFailures,
                List.of(functions.get("slack-interactions")), false));
        // A deploy asked for in Slack: the tag looked up in ECR, the release recorded, staging's task definition
        // rewritten and its service updated, the thread told, the person answered.
        Function deployCommand = new Function("slack-deploy-command", "slack-interactions",
                (i, r) -> slashCommand(r, "deploy payments-api 1.4.0 staging", "U0EXAMPLE1"), acknowledged, List.of(), false);
        add(new Function("chatops-deploy", "chatops-worker", (i, r) -> queued(r, REQUEST_QUEUE, false), noBatchFailures,
                List.of(deployCommand), false));
        // An approval in Slack: pipeline-gate leaves a new release of payments-api waiting at prod's gate for two
        // approvals, the notify function posts its card, and an approver's click on the card's Approve button comes in
        // through slack-interactions; the worker records the approval on the gate record and looks at the gate again.
        Function gateNews = new Function("gate-approval-card", "chatops-notify",
                (i, r) -> queued(r, NOTIFY_QUEUE, true, ColdStartBench::waitsForApprovals), noBatchFailures, List.of(), false);
        Function approveClick = new Function("slack-approve-click", "slack-interactions", (i, r) -> approveClick(r, APPROVER),
                acknowledged, List.of(), false);
        add(new Function("chatops-approve", "chatops-worker", (i, r) -> queued(r, REQUEST_QUEUE, false),
                noBatchFailures.and(approvalRecorded(APPROVER)), List.of(functions.get("pipeline-gate"), gateNews, approveClick), false));
        add(new Function("chatops-notify", (i, r) -> queued(r, NOTIFY_QUEUE, true), noBatchFailures,
                List.of(functions.get("ecs-deploy")), false));
    }

    private void add(Function function) {
        functions.put(function.name(), function);
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<String> asked = args.length > 1 ? List.of(args).subList(1, args.length) : List.of();
        Path work = Path.of(System.getProperty("bench.work", Files.createTempDirectory("gantry-bench").toString()));
        String java = System.getProperty("bench.java", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String python = System.getProperty("bench.python", "/usr/bin/python3");
        RecordingLoopbackAws aws = RecordingLoopbackAws.open(Path.of("events"));
        int status;
        try {
            status = new ColdStartBench(work, java, python, aws).run(runs, asked);
        } catch (BenchFailed e) {
            System.err.println("bench: " + e.getMessage());
            status = 1;
        } finally {
            aws.close();
        }
        System.exit(status);
    }

    int run(int runs, List<String> asked) throws IOException, InterruptedException {
        for (String name : asked) {
            if (!functions.containsKey(name)) {
                System.err.println("bench: no function '" + name + "' (functions: " + String.join(", ", functions.keySet()) + ")");
                return 2;
            }
        }
        String loadAtStart = BenchSummary.loadAverage();
        Map<String, Map<String, List<Run>>> results = new LinkedHashMap<>();
        for (Function function : functions.values()) {
            if (!asked.isEmpty() && !asked.contains(function.name())) {
                continue;
            }
            System.err.printf(Locale.ROOT, "bench: %s: warm-up round and %d timed rounds%n", function.name(), runs);
            Map<String, List<Run>> byContender = new LinkedHashMap<>();
            RecordingLoopbackAws.CONTENDERS.forEach(c -> byContender.put(c, new ArrayList<>()));
            for (int round = 0; round <= runs; round++) {
                Map<String, Run> ran = round(function, round);
                if (round > 0) {
                    ran.forEach((contender, r) -> byContender.get(contender).add(r));
                }
            }
            results.put(function.name(), byContender);
        }
        report(runs, results, loadAtStart);
        return 0;
    }

    /**
     * One round: the seeds if any, then the function, then the floor and the twin in turns. The function and the primed
     * JVM each run the seeds themselves, each event made from their own calls in the seed before; the floor replays the
     * function's seed calls for itself and for the twin.
     */
    private Map<String, Run> round(Function function, int round) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve(function.name()).resolve(Integer.toString(round)));
        List<ObjectNode> seedCalls = List.of();
        List<ObjectNode> primedSeedCalls = List.of();
        for (int i = 0; i < function.seeds().size(); i++) {
            Function seed = function.seeds().get(i);
            String name = function.seeds().size() == 1 ? "seed" : "seed-" + (i + 1);
            Path seedEvent = dir.resolve(name + "-event.json");
            Files.write(seedEvent, seed.event().apply(round, new Round("java", seedCalls)));
            seedCalls = runJava(seed, seedEvent, dir.resolve(name)).calls();
            // The other contenders' state follows the same calls, made for them by the floor, untimed.
            Path lines = dir.resolve(name + "-calls.lines");
            Files.writeString(lines, RecordingLoopbackAws.requestLines(seedCalls));
            // The primed JVM makes its own calls, so its table holds its own leases, times and ids (the digest ECR gave
            // it, its approval card's id and message), which the function's exact requests would not meet (a lease the
            // function's clock finds expired may not be on the primed JVM's): it runs the seeds itself, untimed, each
            // event made from its own calls.
            Path primedSeedEvent = dir.resolve(name + "-event-primed.json");
            Files.write(primedSeedEvent, seed.event().apply(round, new Round("primed", primedSeedCalls)));
            primedSeedCalls = runPrimedSeed(seed, primedSeedEvent, dir.resolve(name + "-primed"));
            for (String contender : List.of("floor", "python")) {
                exec(List.of(javaLauncher, "-cp", benchClasses(), BareHandler.class.getName(), seedEvent.toString(), lines.toString(),
                        aws.endpoint(contender).url()), Map.of(), dir.resolve(name + "-" + contender), false);
                aws.take(contender);
            }
        }
        Path event = dir.resolve("event.json");
        Files.write(event, function.event().apply(round, new Round("java", seedCalls)));
        aws.rolloutDone(function.rolloutDone());
        try {
            Map<String, Run> ran = new LinkedHashMap<>();
            Run javaRun = runJava(function, event, dir.resolve("java"));
            ran.put("java", javaRun);
            // Made after the function's run, as Slack signs just before sending.
            Path primedEvent = dir.resolve("event-primed.json");
            Files.write(primedEvent, function.event().apply(round, new Round("primed", primedSeedCalls)));
            Run primedRun = runPrimed(function, primedEvent, dir.resolve("primed"));
            sameCalls(function, "primed", javaRun.calls(), primedRun.calls(), dir);
            ran.put("primed", primedRun);
            Path callsJson = dir.resolve("calls.json");
            Files.write(callsJson, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(javaRun.calls()));
            Path callsLines = dir.resolve("calls.lines");
            Files.writeString(callsLines, RecordingLoopbackAws.requestLines(javaRun.calls()));
            List<String> order = round % 2 == 0 ? List.of("floor", "python") : List.of("python", "floor");
            for (String contender : order) {
                Run run = "floor".equals(contender)
                        ? timed("floor", List.of(javaLauncher, JVM_FLAGS.get(0), JVM_FLAGS.get(1), "-cp", benchClasses(), BareHandler.class.getName(),
                                event.toString(), callsLines.toString(), aws.endpoint("floor").url()), Map.of(), dir.resolve("floor"))
                        : timed("python", List.of(python, twin(function).toString(), event.toString(), callsJson.toString()),
                                pythonEnvironment(), dir.resolve("python"));
                sameCalls(function, contender, javaRun.calls(), run.calls(), dir);
                ran.put(contender, run);
            }
            return ran;
        } finally {
            aws.rolloutDone(false);
        }
    }

    private Run runJava(Function function, Path event, Path out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaLauncher));
        command.addAll(JVM_FLAGS);
        command.addAll(FUNCTION_FLAGS);
        command.addAll(List.of("-D" + Invoke.HANDLED_LINE_PROPERTY + "=" + HANDLED, "-cp", function.jar().toString(),
                Invoke.class.getName(), function.handler(), event.toString()));
        Run run = timed("java", command, functionEnvironment(function, "java"), out);
        didItsWork(function, "", out, run.calls());
        return run;
    }

    /** A seed run untimed for the primed JVM, on its own endpoint: its calls. */
    private List<ObjectNode> runPrimedSeed(Function seed, Path event, Path out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaLauncher));
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-cp", seed.jar().toString(), Invoke.class.getName(), seed.handler(), event.toString()));
        aws.take("primed");
        exec(command, functionEnvironment(seed, "primed"), out, false);
        List<ObjectNode> calls = aws.take("primed");
        didItsWork(seed, " (for the primed JVM)", out, calls);
        return calls;
    }

    /** Fails the bench when a run of {@code function}, whose output is beside {@code out}, did not do its work. */
    private static void didItsWork(Function function, String run, Path out, List<ObjectNode> calls) throws IOException {
        List<String> unanswered = calls.stream().filter(c -> c.path("status").asInt() == 501)
                .map(c -> c.path("service").asText() + " " + c.path("operation").asText()).toList();
        if (!unanswered.isEmpty()) {
            throw new BenchFailed(function.name() + run + " called what the loopback does not answer: " + unanswered);
        }
        String output = Files.readString(out.resolveSibling(out.getFileName() + ".out"), StandardCharsets.UTF_8);
        Optional<String> lacking = function.done().lacking(output, calls)
                .or(() -> output.matches("(?s).*cleanup of .* failed.*") ? Optional.of("a cleanup failed") : Optional.empty());
        if (lacking.isPresent()) {
            throw new BenchFailed(function.name() + run + " did not do its work (" + lacking.get() + "):\n" + output);
        }
    }

    /**
     * Runs {@code command} to its end: its time, from before the process starts to its saying {@link #HANDLED}, its peak
     * memory, and its calls.
     */
    private Run timed(String contender, List<String> command, Map<String, String> environment, Path out)
            throws IOException, InterruptedException {
        Path rss = out.resolveSibling(out.getFileName() + ".rss");
        List<String> measured = new ArrayList<>();
        gnuTime.ifPresent(time -> measured.addAll(List.of(time.toString(), "-f", "%M", "-o", rss.toString())));
        measured.addAll(command);
        aws.take(contender);
        long millis = exec(measured, environment, out, true);
        long peak = 0;
        if (Files.exists(rss)) {
            List<String> lines = Files.readAllLines(rss);
            peak = Long.parseLong(lines.get(lines.size() - 1).strip());
        }
        return new Run(millis, peak, aws.take(contender));
    }

    private long exec(List<String> command, Map<String, String> environment, Path out, boolean timed) throws IOException, InterruptedException {
        Path errFile = out.resolveSibling(out.getFileName() + ".err");
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".out").toFile())
                .redirectError(timed ? ProcessBuilder.Redirect.PIPE : ProcessBuilder.Redirect.to(errFile.toFile()));
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> !List.of("PATH", "HOME", "LANG", "TZ").contains(name));
        env.putAll(environment);
        long start = System.nanoTime();
        Process process = builder.start();
        HandledLine handled = timed ? HandledLine.watch(process.getErrorStream(), errFile) : null;
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new BenchFailed(String.join(" ", command) + " ran for more than 120 s");
        }
        if (handled != null) {
            handled.drained();
        }
        if (process.exitValue() != 0) {
            throw new BenchFailed(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                    + Files.readString(errFile, StandardCharsets.UTF_8)
                    + Files.readString(out.resolveSibling(out.getFileName() + ".out"), StandardCharsets.UTF_8));
        }
        if (handled == null) {
            return 0;
        }
        return TimeUnit.NANOSECONDS.toMillis(handled.at().orElseThrow(() -> new BenchFailed(String.join(" ", command)
                + " ended without saying '" + HANDLED + "'")) - start);
    }

    /**
     * Reads a contender's stderr as it comes, into its {@code .err} file, and notes when {@link #HANDLED} arrived: the
     * moment its event was handled, before its process's teardown.
     */
    private static final class HandledLine {

        private final AtomicLong at = new AtomicLong();
        private final StringBuffer said;
        private final Path errFile;
        private final Thread reader;

        /** @param said what the process said before, to which the lines to come are added */
        HandledLine(BufferedReader stderr, StringBuffer said, Path errFile) {
            this.said = said;
            this.errFile = errFile;
            this.reader = Thread.ofVirtual().start(() -> {
                try (BufferedReader lines = stderr) {
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        if (line.equals(HANDLED)) {
                            at.compareAndSet(0, System.nanoTime());
                        } else {
                            said.append(line).append('\n');
                        }
                    }
                } catch (IOException e) {
                    // The process is gone; what it said so far is kept.
                }
            });
        }

        static HandledLine watch(InputStream stderr, Path errFile) {
            return new HandledLine(new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8)), new StringBuffer(), errFile);
        }

        /** Waits for the process's stderr to end and keeps what it said in its {@code .err} file. */
        void drained() throws InterruptedException, IOException {
            reader.join();
            Files.writeString(errFile, said, StandardCharsets.UTF_8);
        }

        /** {@link System#nanoTime} when the line arrived, if it did. */
        Optional<Long> at() {
            long nanos = at.get();
            return nanos == 0 ? Optional.empty() : Optional.of(nanos);
        }
    }

    private void sameCalls(Function function, String contender, List<ObjectNode> expected, List<ObjectNode> actual, Path dir)
            throws IOException {
        List<String> want = expected.stream().map(ColdStartBench::describe).toList();
        List<String> got = actual.stream().map(ColdStartBench::describe).toList();
        if (!want.equals(got)) {
            Files.write(dir.resolve(contender + "-calls.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(actual));
            throw new BenchFailed(function.name() + ": the " + contender + " contender made other calls than the function, so their times"
                    + " would not compare:\n  function: " + want + "\n  " + contender + ": " + got + "\n  (" + dir + ")");
        }
    }

    private static String describe(JsonNode call) {
        return call.path("service").asText() + " " + call.path("operation").asText() + " " + call.path("status").asInt();
    }

    /**
     * The function as a SnapStart restore leaves it: a JVM that ran the handler's init and the function's priming (the
     * CRaC hooks Lambda runs before the snapshot) untimed, then is told to handle the event. The time is from that
     * go-ahead to its saying {@link #HANDLED}; the restore itself, which Lambda does and nothing here can, is not in it.
     * Priming's own calls are taken off the record before the go-ahead, so the calls compared are the event's alone.
     */
    private Run runPrimed(Function function, Path event, Path out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(javaLauncher));
        command.addAll(JVM_FLAGS);
        command.addAll(FUNCTION_FLAGS);
        command.addAll(List.of("-D" + Invoke.HANDLED_LINE_PROPERTY + "=" + HANDLED, "-cp", function.jar().toString(),
                Invoke.class.getName(), "--primed", function.handler(), event.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectOutput(out.resolveSibling(out.getFileName() + ".out").toFile())
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> !List.of("PATH", "HOME", "LANG", "TZ").contains(name));
        env.putAll(functionEnvironment(function, "primed"));
        aws.take("primed");
        Process process = builder.start();
        StringBuffer errors = new StringBuffer();
        BufferedReader stderr = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = stderr.readLine()) != null && !line.equals(Invoke.PRIMED)) {
            errors.append(line).append('\n');
        }
        if (line == null) {
            process.waitFor(120, TimeUnit.SECONDS);
            throw new BenchFailed(function.name() + " --primed ended before it was primed:\n" + errors);
        }
        HandledLine handled = new HandledLine(stderr, errors, out.resolveSibling(out.getFileName() + ".err"));
        aws.take("primed");
        long start = System.nanoTime();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write('\n');
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new BenchFailed(function.name() + " --primed ran for more than 120 s after its go-ahead");
        }
        handled.drained();
        List<ObjectNode> calls = aws.take("primed");
        if (process.exitValue() != 0) {
            throw new BenchFailed(function.name() + " --primed failed (exit " + process.exitValue() + "):\n" + errors
                    + Files.readString(out.resolveSibling(out.getFileName() + ".out"), StandardCharsets.UTF_8));
        }
        didItsWork(function, " --primed", out, calls);
        long millis = TimeUnit.NANOSECONDS.toMillis(handled.at().orElseThrow(() -> new BenchFailed(function.name()
                + " --primed ended without saying '" + HANDLED + "'")) - start);
        return new Run(millis, 0, calls);
    }

    private Map<String, String> functionEnvironment(Function function, String contender) {
        String endpoint = aws.endpoint(contender).url();
        Map<String, String> env = new TreeMap<>(Map.of(
                "GANTRY_CONFIG", config.toString(),
                "GANTRY_TABLE", RecordingLoopbackAws.TABLE,
                "AWS_REGION", RecordingLoopbackAws.REGION,
                "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "AWS_ENDPOINT_URL", endpoint,
                "POWERTOOLS_SERVICE_NAME", function.handler(),
                // Not written, as the existing bench does: the figures are the functions, not a terminal's speed.
                "POWERTOOLS_LOG_LEVEL", "WARN"));
        // What the CDK stack gives the functions when ChatOps and rebuilds are on, pointed at the loopback.
        env.putAll(Map.of(
                "GANTRY_SLACK_API_URL", endpoint,
                "GANTRY_NOTIFY_QUEUE_URL", NOTIFY_QUEUE,
                "GANTRY_SLACK_BOT_TOKEN_SECRET_ARN", BOT_TOKEN_SECRET,
                "GANTRY_REGISTRY_ACCOUNT", "111111111111",
                "GANTRY_OPERATIONS_ALARM_PREFIX", "Gantry-",
                "GANTRY_SLACK_SIGNING_SECRET_ARN", SIGNING_SECRET_ARN,
                "GANTRY_CHATOPS_REQUEST_QUEUE_URL", REQUEST_QUEUE));
        return env;
    }

    private Map<String, String> pythonEnvironment() {
        return Map.of(
                "AWS_ENDPOINT_URL", aws.endpoint("python").url(),
                "AWS_REGION", RecordingLoopbackAws.REGION,
                "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key",
                "GANTRY_BENCH_HANDLED", HANDLED,
                // Compiled once, kept out of the repository.
                "PYTHONPYCACHEPREFIX", work.resolve("pycache").toString());
    }

    private static Path twin(Function function) {
        return Path.of("scripts", "bench-python", function.name().replace('-', '_') + ".py");
    }

    private static String benchClasses() {
        return Path.of("bench", "target", "classes").toString();
    }

    /** The example configuration, with the Slack workspace and app it answers named, as any ChatOps setup names them. */
    private static Path benchConfig(Path work) throws IOException {
        String example = Files.readString(Path.of("examples", "gantry.yml"), StandardCharsets.UTF_8);
        if (!example.contains("\nslack:\n")) {
            throw new BenchFailed("examples/gantry.yml has no slack section to name the bench's workspace in");
        }
        Path config = Files.createDirectories(work).resolve("gantry.yml");
        // And one person who may deploy payments-api to staging from Slack, for chatops-deploy's command: the first
        // environment of payments-api listed is staging, prod has the same lines and must stay without.
        String stagingOfPayments = "        service: payments-api\n        containers: [app]\n";
        if (!example.contains(stagingOfPayments)) {
            throw new BenchFailed("examples/gantry.yml no longer lists payments-api's staging as the bench expects: " + stagingOfPayments);
        }
        Files.writeString(config, example.replace("\nslack:\n", "\nslack:\n  teamId: T0GANTRY1\n  appId: A0GANTRY1\n")
                .replaceFirst(Pattern.quote(stagingOfPayments),
                        Matcher.quoteReplacement(stagingOfPayments + "        permissions: { deploy: [U0EXAMPLE1] }\n")),
                StandardCharsets.UTF_8);
        return config;
    }

    // Events: the samples in events/, verbatim but for what must be new in every run for the run to do the whole work.

    private static ObjectNode event(String file) {
        try {
            return (ObjectNode) JSON.readTree(Path.of("events", file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String next() {
        return Long.toString(++unique);
    }

    private byte[] withFreshId(ObjectNode event) {
        event.put("id", UUID.nameUUIDFromBytes(("bench event " + next()).getBytes(StandardCharsets.UTF_8)).toString());
        return bytes(event);
    }

    /** An ECR push under a digest never pushed before. */
    private byte[] ecrPush(String file) {
        ObjectNode event = event(file);
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("image-digest", "sha256:" + RecordingLoopbackAws.sha256(("bench push " + next()).getBytes(StandardCharsets.UTF_8)));
        aws.tagPointsAt(detail.path("repository-name").asText(), detail.path("image-tag").asText(), detail.path("image-digest").asText());
        return withFreshId(event);
    }

    private byte[] pipelineJob(String file) {
        ObjectNode event = event(file);
        ((ObjectNode) event.path("CodePipeline.job")).put("id", UUID.nameUUIDFromBytes(("bench job " + next()).getBytes(StandardCharsets.UTF_8)).toString());
        return bytes(event);
    }

    private byte[] rolloutCompleted() {
        ObjectNode event = event("gantry-ecs-deployment-completed-payments-api-staging.json");
        ObjectNode detail = (ObjectNode) event.path("detail");
        detail.put("deploymentId", DEPLOYMENT_ID).put("reason", "ECS deployment " + DEPLOYMENT_ID + " completed.")
                .put("updatedAt", Instant.now().toString());
        event.put("time", Instant.now().toString());
        return withFreshId(event);
    }

    private byte[] lifecycleHook() {
        ObjectNode event = event("gantry-ecs-lifecycle-hook-payments-api-prod.json");
        event.put("targetServiceRevisionArn", event.path("targetServiceRevisionArn").asText().replaceAll("/[0-9]+$", "/" + next()));
        return bytes(event);
    }

    /** {@code /gantry <text>} from {@code userId} as the Function URL hands it over, signed as Slack signs it, just now. */
    private byte[] slashCommand(Round round, String text, String userId) {
        String form = readString(Path.of("events", "gantry-slack-slash-command.form"))
                .replaceFirst("text=[^&]*", "text=" + URLEncoder.encode(text, StandardCharsets.UTF_8))
                .replaceFirst("user_id=[^&]*", "user_id=" + userId)
                .replaceFirst("response_url=[^&]*", "response_url=" + URLEncoder.encode(aws.endpoint(round.contender()).url()
                        + "/slack/respond/" + next(), StandardCharsets.UTF_8))
                .replaceFirst("trigger_id=[^&]*", "trigger_id=" + next() + ".1000000000003.0123456789abcdef0123456789abcdef");
        return signedBySlack(form);
    }

    /**
     * A click by {@code userId} on Approve in the approval card the seed run before posted, as Slack posts it: a
     * {@code block_actions} payload, form-encoded and signed. The button is the card's own (its action id, and its value,
     * the approval's opaque id) and the container is the card's message, as the worker checks; the message clicked is the
     * card as posted.
     */
    private byte[] approveClick(Round round, String userId) {
        // Where the card went, as the notify function recorded it on the approval once Slack had answered its post.
        JsonNode placed = round.seedCalls().stream()
                .filter(c -> is(c, "dynamodb UpdateItem"))
                .map(c -> readTree(c.path("body").asText()))
                .filter(body -> body.path("Key").path("pk").path("S").asText().startsWith("APPROVAL#")
                        && body.path("ExpressionAttributeValues").has(":messageTs"))
                .findFirst()
                .orElseThrow(() -> new BenchFailed("the seed run posted no approval card"));
        String approvalId = placed.path("Key").path("pk").path("S").asText().substring("APPROVAL#".length());
        String channel = placed.path("ExpressionAttributeValues").path(":channelId").path("S").asText();
        String ts = placed.path("ExpressionAttributeValues").path(":messageTs").path("S").asText();
        JsonNode card = round.seedCalls().stream()
                .filter(c -> is(c, "slack chat.postMessage"))
                .map(c -> readTree(c.path("body").asText()))
                .filter(body -> approveButton(body, approvalId).isPresent())
                .findFirst()
                .orElseThrow(() -> new BenchFailed("the seed run posted no card with an Approve button for approval " + approvalId));
        ObjectNode payload = event("gantry-slack-block-actions-approve.json");
        ((ObjectNode) payload.path("user")).put("id", userId);
        ((ObjectNode) payload.path("container")).put("channel_id", channel).put("message_ts", ts);
        ((ObjectNode) payload.path("channel")).put("id", channel);
        ((ObjectNode) payload.path("message")).put("ts", ts).put("text", card.path("text").asText())
                .set("blocks", card.path("blocks").deepCopy());
        payload.put("trigger_id", next() + ".1000000000003.fedcba9876543210fedcba9876543210")
                .put("response_url", aws.endpoint(round.contender()).url() + "/slack/actions/" + next());
        ObjectNode action = approveButton(card, approvalId).orElseThrow().put("action_ts", Instant.now().getEpochSecond() + ".000001");
        // Slack reports the action without the confirmation dialog the button asked for.
        action.remove("confirm");
        payload.putArray("actions").add(action);
        try {
            return signedBySlack("payload=" + URLEncoder.encode(JSON.writeValueAsString(payload), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The card's Approve button for {@code approvalId}, with the block id of the actions block holding it. */
    private static Optional<ObjectNode> approveButton(JsonNode card, String approvalId) {
        for (JsonNode block : card.path("blocks")) {
            for (JsonNode element : block.path("elements")) {
                if ("actions".equals(block.path("type").asText()) && "button".equals(element.path("type").asText())
                        && "Approve".equals(element.path("text").path("text").asText())
                        && approvalId.equals(element.path("value").asText())) {
                    return Optional.of(((ObjectNode) element.deepCopy()).put("block_id", block.path("block_id").asText()));
                }
            }
        }
        return Optional.empty();
    }

    /** {@code form} as the Function URL hands Slack's POST over, signed as Slack signs it, just now. */
    private static byte[] signedBySlack(String form) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        ObjectNode event = event("lambda-function-url-request.lambda-dev-guide.json");
        event.put("rawPath", "/").put("rawQueryString", "").put("body", form).put("isBase64Encoded", false);
        event.remove(List.of("cookies", "queryStringParameters"));
        event.putObject("headers")
                .put("content-type", "application/x-www-form-urlencoded")
                .put("x-slack-request-timestamp", timestamp)
                .put("x-slack-signature", "v0=" + hmacSha256(RecordingLoopbackAws.SIGNING_SECRET, "v0:" + timestamp + ":" + form));
        ((ObjectNode) event.path("requestContext").path("http")).put("path", "/");
        return bytes(event);
    }

    /**
     * What the seed run sent to {@code queue}, first, as SQS hands it to the function: for the worker, the request
     * slack-interactions queued; for the notify function, the first news the deploy told.
     */
    private byte[] queued(Round round, String queue, boolean fifo) {
        return queued(round, queue, fifo, sent -> true);
    }

    /** The first message the seed run sent to {@code queue} that {@code which} takes (given the SendMessage request). */
    private byte[] queued(Round round, String queue, boolean fifo, Predicate<JsonNode> which) {
        JsonNode sent = round.seedCalls().stream()
                .filter(c -> is(c, "sqs SendMessage"))
                .map(c -> readTree(c.path("body").asText()))
                .filter(body -> queue.equals(body.path("QueueUrl").asText()) && which.test(body))
                .findFirst()
                .orElseThrow(() -> new BenchFailed("the seed run sent nothing to " + queue + " the bench could use"));
        ObjectNode event = JSON.createObjectNode();
        ObjectNode record = event.putArray("Records").addObject();
        String queueName = queue.substring(queue.lastIndexOf('/') + 1);
        record.put("messageId", UUID.nameUUIDFromBytes(("bench message " + next()).getBytes(StandardCharsets.UTF_8)).toString())
                .put("receiptHandle", "AQEB" + next())
                .put("body", sent.path("MessageBody").asText());
        ObjectNode attributes = record.putObject("attributes")
                .put("ApproximateReceiveCount", "1")
                .put("SentTimestamp", Long.toString(Instant.now().toEpochMilli()))
                .put("SenderId", "AROAEXAMPLE:gantry")
                .put("ApproximateFirstReceiveTimestamp", Long.toString(Instant.now().toEpochMilli()));
        if (fifo) {
            attributes.put("SequenceNumber", "1" + next()).put("MessageGroupId", sent.path("MessageGroupId").asText())
                    .put("MessageDeduplicationId", sent.path("MessageDeduplicationId").asText());
        }
        ObjectNode messageAttributes = record.putObject("messageAttributes");
        sent.path("MessageAttributes").properties().forEach(a -> {
            ObjectNode attribute = messageAttributes.putObject(a.getKey())
                    .put("stringValue", a.getValue().path("StringValue").asText())
                    .put("dataType", a.getValue().path("DataType").asText());
            attribute.putArray("stringListValues");
            attribute.putArray("binaryListValues");
        });
        record.put("md5OfBody", "")
                .put("eventSource", "aws:sqs")
                .put("eventSourceARN", "arn:aws:sqs:eu-west-1:111111111111:" + queueName)
                .put("awsRegion", "eu-west-1");
        return bytes(event);
    }

    /**
     * News that a release waits at its gate for approvals it does not have yet: the news the notify function posts an
     * approval card for. The gate's run also tells that the round before's release was superseded there.
     */
    private static boolean waitsForApprovals(JsonNode sent) {
        JsonNode news = readTree(sent.path("MessageBody").asText());
        return "GateChanged".equals(news.path("type").asText()) && "WAITING".equals(news.path("status").asText())
                && news.path("approvals").asInt() < news.path("approvalsRequired").asInt();
    }

    /**
     * The worker counted {@code userId}'s approval: the gate record written with their APPROVE among its decisions, and
     * the audit log's entry for it. Else what the person was told, which says why (a refusal is an answer, not a batch
     * failure).
     */
    private static Done approvalRecorded(String userId) {
        return (output, calls) -> {
            List<JsonNode> written = new ArrayList<>();
            calls.stream().filter(c -> "dynamodb".equals(c.path("service").asText()))
                    .forEach(c -> objects(readTree(c.path("body").asText()), written));
            boolean decided = written.stream().flatMap(item -> stream(item.path("decisions").path("L")))
                    .map(decision -> decision.path("M"))
                    .anyMatch(d -> userId.equals(d.path("userId").path("S").asText())
                            && "APPROVE".equals(d.path("decision").path("S").asText()));
            boolean audited = written.stream().anyMatch(item -> userId.equals(item.path("userId").path("S").asText())
                    && "approve".equals(item.path("action").path("S").asText()) && "DONE".equals(item.path("outcome").path("S").asText()));
            if (decided && audited) {
                return Optional.empty();
            }
            String told = calls.stream().filter(c -> is(c, "slack response_url"))
                    .map(c -> readTree(c.path("body").asText()).path("text").asText()).collect(Collectors.joining("; "));
            return Optional.of((decided ? "" : "no APPROVE by " + userId + " on the gate record; ")
                    + (audited ? "" : "no audit entry of it; ") + "the person was told: " + (told.isEmpty() ? "nothing" : told));
        };
    }

    private static boolean is(JsonNode call, String serviceAndOperation) {
        return serviceAndOperation.equals(call.path("service").asText() + " " + call.path("operation").asText());
    }

    /** Every JSON object in {@code node}, itself included. */
    private static void objects(JsonNode node, List<JsonNode> into) {
        if (node.isObject()) {
            into.add(node);
        }
        node.forEach(child -> objects(child, into));
    }

    private static java.util.stream.Stream<JsonNode> stream(JsonNode array) {
        return java.util.stream.StreamSupport.stream(array.spliterator(), false);
    }

    private static JsonNode readTree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode event) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readString(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String hmacSha256(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    // The report.

    private void report(int runs, Map<String, Map<String, List<Run>>> results, String loadAtStart) throws IOException, InterruptedException {
        System.out.printf(Locale.ROOT, "cold start per function (fresh process per run, process start to first event handled, loopback AWS;"
                + " median [min-max] of %d runs, ms)%s:%n", runs, runs < 5 ? " (fewer than 5 runs: a check that it works, not a figure)" : "");
        System.out.printf(Locale.ROOT, "  %-19s %5s  %-20s %-18s %-18s %-18s %11s %13s %10s  %s%n", "function", "calls", "java (the function)",
                "java after priming", "floor (bare JVM)", "python + boto3", "java/python", "primed/python", "java/floor",
                "peak RSS MiB java/floor/python");
        for (Map.Entry<String, Map<String, List<Run>>> entry : results.entrySet()) {
            Map<String, List<Run>> r = entry.getValue();
            long javaMedian = median(r.get("java"), Run::millis);
            long primedMedian = median(r.get("primed"), Run::millis);
            long floorMedian = median(r.get("floor"), Run::millis);
            long pythonMedian = median(r.get("python"), Run::millis);
            String calls = r.get("java").stream().map(run -> Integer.toString(run.calls().size())).distinct().collect(Collectors.joining("/"));
            System.out.printf(Locale.ROOT, "  %-19s %5s  %-20s %-18s %-18s %-18s %11s %13s %10s  %s%n", entry.getKey(), calls,
                    spread(r.get("java")), spread(r.get("primed")), spread(r.get("floor")), spread(r.get("python")),
                    ratio(javaMedian, pythonMedian), ratio(primedMedian, pythonMedian), ratio(javaMedian, floorMedian),
                    median(r.get("java"), Run::peakKib) / 1024 + "/" + median(r.get("floor"), Run::peakKib) / 1024 + "/"
                            + median(r.get("python"), Run::peakKib) / 1024);
            BenchSummary.add("cold start " + entry.getKey(), javaMedian + " ms (python " + pythonMedian + ", floor " + floorMedian + ")",
                    "java/python <= 1.00", ratio(javaMedian, pythonMedian) + (javaMedian <= pythonMedian ? " PASS" : " FAIL"));
            BenchSummary.add("after priming " + entry.getKey(), primedMedian + " ms (python " + pythonMedian + ")",
                    "primed/python <= 1.00", ratio(primedMedian, pythonMedian) + (primedMedian <= pythonMedian ? " PASS" : " FAIL"));
        }
        System.out.println("  java after priming: a JVM that ran init and SnapStart priming untimed, from its go-ahead to the event handled;"
                + " what a restored function still pays besides the restore itself, which only Lambda can do");
        System.out.println("  target: java/python <= 1.00 (above it: how many times Python's cold start Java's takes)");
        System.out.println("  machine: " + Runtime.getRuntime().availableProcessors() + " cores, load average " + loadAtStart
                + " at the start, " + BenchSummary.loadAverage() + " at the end");
        List<String> outside = outsideBoto3Model(results.keySet());
        if (!outside.isEmpty()) {
            System.out.println("  calls the twins' boto3 has no model for (an operation or parameter newer than it), sent signed by botocore:");
            outside.forEach(line -> System.out.println("    " + line));
        }
        System.out.println("  java: " + firstLine(List.of(javaLauncher, "-version")) + "   flags: " + String.join(" ", JVM_FLAGS) + (FUNCTION_FLAGS.isEmpty() ? "" : "   the functions also: " + String.join(" ", FUNCTION_FLAGS))
                + "   python: " + firstLine(List.of(python, "-c", "import sys, boto3, botocore; print(sys.version.split()[0], 'boto3',"
                + " boto3.__version__, 'botocore', botocore.__version__)")));
        List<Run> deploys = results.getOrDefault("ecs-deploy", Map.of()).get("java");
        if (deploys != null) {
            legacyDeployLines(deploys);
        }
    }

    /** What the twins' last runs made outside their boto3's model, by function. */
    private List<String> outsideBoto3Model(java.util.Set<String> names) throws IOException {
        List<String> outside = new ArrayList<>();
        for (String name : names) {
            Path dir = work.resolve(name);
            Optional<Path> last;
            try (var rounds = Files.list(dir)) {
                last = rounds.max(java.util.Comparator.comparingInt(p -> Integer.parseInt(p.getFileName().toString())));
            }
            if (last.isPresent() && Files.exists(last.get().resolve("python.out"))) {
                JsonNode out = JSON.readTree(last.get().resolve("python.out").toFile());
                List<String> calls = new ArrayList<>();
                out.path("outsideBoto3Model").forEach(call -> calls.add(call.asText()));
                if (!calls.isEmpty()) {
                    outside.add(name + ": " + calls.stream().distinct().map(c -> c + " x" + java.util.Collections.frequency(calls, c))
                            .collect(Collectors.joining(", ")));
                }
            }
        }
        return outside;
    }

    /** The lines scripts/bench cold-start printed before it measured every function; other tools read them. */
    private void legacyDeployLines(List<Run> deploys) throws IOException, InterruptedException {
        List<Long> times = deploys.stream().map(Run::millis).toList();
        List<Long> sorted = times.stream().sorted().toList();
        System.out.println("ecs-deploy cold start (fresh JVM, process start to first event handled, full deploy on loopback):");
        System.out.printf(Locale.ROOT, "  runs: %d   median: %d ms   min: %d ms   max: %d ms   all: %s%n", times.size(), sorted.get(times.size() / 2),
                sorted.get(0), sorted.get(times.size() - 1), times.stream().map(String::valueOf).collect(Collectors.joining(" ")));
        System.out.println("  java: " + firstLine(List.of(javaLauncher, "-version")) + "   flags: " + String.join(" ", JVM_FLAGS));
        if (gnuTime.isPresent()) {
            List<Long> peaks = deploys.stream().map(run -> run.peakKib() / 1024).sorted().toList();
            System.out.printf(Locale.ROOT, "  peak resident memory: median %d MiB   max %d MiB (the functions are given %s MB)%n",
                    peaks.get(peaks.size() / 2), peaks.get(peaks.size() - 1), functionMemory());
        }
        Path jar = functions.get("ecs-deploy").jar();
        long size = Files.size(jar);
        System.out.printf(Locale.ROOT, "ecs-deploy jar: %d bytes (%d MiB) %s%n", size, size / 1024 / 1024, jar);
    }

    private static String functionMemory() throws IOException {
        Matcher memory = Pattern.compile("DEFAULT_MEMORY_MB = ([0-9]+)").matcher(
                Files.readString(Path.of("infra/src/main/java/dev/gantry/infra/GantryFunctionProps.java"), StandardCharsets.UTF_8));
        return memory.find() ? memory.group(1) : "?";
    }

    private static long median(List<Run> runs, ToLongFunction<Run> figure) {
        long[] sorted = runs.stream().mapToLong(figure).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    private static String spread(List<Run> runs) {
        long[] sorted = runs.stream().mapToLong(Run::millis).sorted().toArray();
        return sorted[sorted.length / 2] + " [" + sorted[0] + "-" + sorted[sorted.length - 1] + "]";
    }

    private static String ratio(long numerator, long denominator) {
        return denominator == 0 ? "-" : String.format(Locale.ROOT, "%.2f", (double) numerator / denominator);
    }

    private String firstLine(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.lines().findFirst().orElse("?");
    }

    /** The bench cannot give a figure that means what it says. */
    static final class BenchFailed extends RuntimeException {
        BenchFailed(String message) {
            super(message);
        }
    }
}
