package dev.gantry.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.rebuild.ImageLineage;
import dev.gantry.core.rebuild.Rebuild;
import dev.gantry.core.rebuild.RebuildKey;
import dev.gantry.core.rebuild.RebuildLedger;
import dev.gantry.core.rebuild.RebuildOutcome.Action;
import dev.gantry.core.rebuild.RebuildReport;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RebuildStatus;
import dev.gantry.core.rebuild.RunKey;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.InMemoryRebuildLedger;
import dev.gantry.testing.MutableClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;

/**
 * What a base-image fan-out costs Gantry itself: one push of a golden base with COUNT dependents, planned and started
 * by {@link RebuildService} over a configuration parsed by {@link ConfigLoader}, with the real {@link SdkBuildRunner}
 * sending CodeBuild {@code StartBuild} over loopback HTTP to a server in this JVM, and the rebuild records in
 * {@link InMemoryRebuildLedger}. Run by {@code scripts/bench rebuilds [COUNT]}.
 *
 * <p>A fifth of the dependents are in a second wave, built FROM a runtime image that is itself one of the golden
 * base's dependents: its push, when its build is done, plans the second wave while the first still builds, as a
 * chain does in an account. Rebuilds of the same age start in name order, so the runtime image, named to sort
 * before the {@code svc-} images, takes one of the first slots and its push finds every slot held. The loopback server holds each build it started as running until the benchmark finishes
 * it through {@link RebuildService#onBuildFinished}, the oldest first, so its count of running builds is what CodeBuild
 * would see at once, and the peak of that count is the figure the bound is about.
 *
 * <p>Prints one figure per line. Exits 1 when the peak of running builds passed the configured bound, StartBuild was
 * not called exactly once per dependent, a base push's planning took 50 ms or more, a call threw, or a rebuild was
 * left unsettled.
 */
public final class RebuildBenchmark {

    static final int DEFAULT_COUNT = 1_000;
    static final int MAX_CONCURRENT_BUILDS = 10;
    /** The target for planning a 1,000-dependent push, starts of the first builds included. */
    static final Duration PLAN_TARGET = Duration.ofMillis(50);
    /** One dependent in this many is built FROM the runtime image rather than the golden one. */
    static final int SECOND_WAVE_EVERY = 5;
    /** Enough runs to bring the plan and finish paths to compiled code before anything is measured. */
    static final int WARM_UP_RUNS = 4;
    static final int WARM_UP_COUNT = 500;
    /** Every this many finished builds, one failed, so a failure's path is in the figures too. */
    static final int FAIL_EVERY = 50;

    static final String ACCOUNT = "111122223333";
    static final String REGION = "eu-west-1";
    static final String GOLDEN_REPOSITORY = "golden/java21";
    static final String RUNTIME_REPOSITORY = "runtime/java21";
    static final String RUNTIME_DEPENDENT = "runtime-java21";
    static final String TAG = "latest";
    static final Instant START = Instant.parse("2026-03-10T09:00:00Z");
    /** How far the clock moves between two build events: far inside the 90 s start lease, so no start counts as stalled. */
    static final Duration EVENT_SPACING = Duration.ofSeconds(3);

    private static final String START_BUILD_TARGET = "CodeBuild_20161006.StartBuild";

    private final PrintStream out;
    private final List<String> problems = new ArrayList<>();

    RebuildBenchmark(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_COUNT;
        if (count < 1) {
            System.err.println("usage: RebuildBenchmark [COUNT], COUNT at least 1");
            System.exit(2);
        }
        System.exit(new RebuildBenchmark(System.out).run(count));
    }

    int run(int count) throws Exception {
        GantryConfig config = ConfigLoader.parse(configYaml(count), "rebuild-benchmark.yml");
        GantryConfig warmUpConfig = ConfigLoader.parse(configYaml(Math.min(count, WARM_UP_COUNT)), "rebuild-benchmark-warm-up.yml");
        int secondWave = secondWave(count);
        out.println("Gantry rebuild fan-out benchmark");
        out.println("measures: RebuildService planning and starting the rebuilds of one base push, then every build event "
                + "until all are done; StartBuild goes over loopback HTTP, so AWS's own latency is not in these figures");
        out.println("java: " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vm.vendor") + ")");
        out.println("jvm flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        out.println("cpus: " + Runtime.getRuntime().availableProcessors());
        out.println("load average at the start: " + loadAverage());
        out.println("configuration: base image " + GOLDEN_REPOSITORY + ":" + TAG + " with " + (count - secondWave)
                + " CodeBuild dependents" + (secondWave == 0 ? "" : ", one of them " + RUNTIME_REPOSITORY + ", itself a base with "
                + secondWave + " CodeBuild dependents (wave 2)") + "; " + count + " images in all; rebuilds.maxConcurrentBuilds: "
                + config.rebuilds().maxConcurrentBuilds() + "; parsed and validated by ConfigLoader");
        out.println("ledger: InMemoryRebuildLedger (the DynamoDB ledger's conditions, no network); operations counted at the port");
        out.println("build runner: SdkBuildRunner over SDK CodeBuildClient and CodePipelineClient, URL connection HTTP client, "
                + "default retries, to a loopback server in this JVM (AWS JSON 1.1) that starts a build per new idempotency "
                + "token and holds it running until its finish event");
        out.println("image labels and registry: InMemoryImageLabels, InMemoryImageRegistry (the runtime image's push reads its "
                + "labels there, and each push's tag there, not from ECR)");
        out.println("builds finish: the longest-running first, one event every " + EVENT_SPACING.toSeconds() + " s of the "
                + "benchmark's clock; every " + FAIL_EVERY + "th finished build failed (never the runtime image's)");
        out.println("threads: 1 (events one after another, as one function invocation at a time)");

        try (LoopbackCodeBuild server = LoopbackCodeBuild.start();
                SdkHttpClient http = UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(2))
                        .socketTimeout(Duration.ofSeconds(15))
                        .build()) {
            SdkCalls calls = new SdkCalls();
            StaticCredentialsProvider credentials =
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("testaccesskey", "test-secret-key"));
            try (CodeBuildClient codeBuild = CodeBuildClient.builder()
                            .endpointOverride(server.uri())
                            .region(Region.of(REGION))
                            .credentialsProvider(credentials)
                            .httpClient(http)
                            .overrideConfiguration(c -> c.addExecutionInterceptor(calls))
                            .build();
                    CodePipelineClient codePipeline = CodePipelineClient.builder()
                            .endpointOverride(server.uri())
                            .region(Region.of(REGION))
                            .credentialsProvider(credentials)
                            .httpClient(http)
                            .overrideConfiguration(c -> c.addExecutionInterceptor(calls))
                            .build()) {
                SdkBuildRunner runner = new SdkBuildRunner(codeBuild, codePipeline);

                out.println();
                out.println("== warm-up: " + WARM_UP_RUNS + " runs of " + Math.min(count, WARM_UP_COUNT)
                        + " dependents, not counted");
                for (int i = 1; i <= WARM_UP_RUNS; i++) {
                    Run warmUp = new Run(warmUpConfig, "warm-up-" + i, server, calls, runner);
                    warmUp.execute();
                    out.println("warm-up run " + i + ": planning ms " + millis(warmUp.goldenPlanNanos) + ", total ms "
                            + millis(warmUp.totalNanos) + ", errors " + warmUp.errors.size());
                    check("warm-up run " + i, warmUp, false);
                }

                out.println();
                out.println("== measured: " + count + " dependents");
                Run measured = new Run(config, "measured", server, calls, runner);
                measured.execute();
                measured.print();
                check("measured", measured, true);
            }
        }

        out.println();
        out.println("load average at the end: " + loadAverage());
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (load > Runtime.getRuntime().availableProcessors()) {
            out.println("warning: the load was above the number of cpus: other processes slowed these figures; run again on a "
                    + "quiet machine");
        }
        if (problems.isEmpty()) {
            out.println("result: OK");
            return 0;
        }
        out.println("result: FAILED");
        problems.forEach(p -> out.println("problem: " + p));
        return 1;
    }

    private void check(String where, Run run, boolean measured) {
        if (!run.errors.isEmpty()) {
            problems.add(where + ": " + run.errors.size() + " calls threw or answered unexpectedly, first: " + run.errors.get(0));
        }
        if (run.wire.peakRunning > MAX_CONCURRENT_BUILDS || run.peakInFlight > MAX_CONCURRENT_BUILDS) {
            problems.add(where + ": peak of " + run.wire.peakRunning + " running builds (" + run.peakInFlight
                    + " slots held in the ledger), above the bound of " + MAX_CONCURRENT_BUILDS);
        }
        if (run.wire.startBuilds != run.count) {
            problems.add(where + ": " + run.wire.startBuilds + " StartBuild calls for " + run.count + " dependents; one each expected");
        }
        if (!run.wire.malformed.isEmpty()) {
            problems.add(where + ": " + run.wire.malformed.size() + " StartBuild requests without a project, a 64-hex-digit "
                    + "token or the BASE_IMAGE and BASE_DIGEST plaintext overrides, first: " + run.wire.malformed.get(0));
        }
        if (run.settled != run.count) {
            problems.add(where + ": " + run.settled + " of " + run.count + " rebuilds settled; the others are "
                    + run.byStatus);
        }
        if (measured) {
            if (run.goldenPlanNanos >= PLAN_TARGET.toNanos()) {
                problems.add(where + ": planning the golden push took " + millis(run.goldenPlanNanos) + " ms, target below "
                        + PLAN_TARGET.toMillis() + " ms");
            }
            if (run.runtimePlanNanos >= PLAN_TARGET.toNanos()) {
                problems.add(where + ": planning the runtime push took " + millis(run.runtimePlanNanos) + " ms, target below "
                        + PLAN_TARGET.toMillis() + " ms");
            }
        }
    }

    /** One fan-out from a golden push until every rebuild is settled, with its own ledger, clock and digests. */
    private final class Run {
        final GantryConfig config;
        final String seed;
        final int count;
        final LoopbackCodeBuild server;
        final SdkCalls calls;
        final MutableClock clock = new MutableClock(START);
        final InMemoryRebuildLedger store = new InMemoryRebuildLedger();
        final CountingLedger ledger = new CountingLedger(store);
        final InMemoryImageLabels labels = new InMemoryImageLabels();
        final RebuildService service;
        final List<String> errors = new ArrayList<>();
        final ImageDigest goldenDigest;
        final ImageDigest runtimeDigest;

        long goldenPlanNanos;
        long runtimePlanNanos;
        long goldenPlanSdkNanos;
        long runtimePlanSdkNanos;
        int goldenStarted;
        int goldenQueued;
        int runtimeStarted;
        int runtimeQueued;
        boolean runtimePushed;
        long totalNanos;
        long[] finishNanos;
        int finishes;
        int peakInFlight;
        int settled;
        Map<RebuildStatus, Integer> byStatus = new EnumMap<>(RebuildStatus.class);
        LoopbackCodeBuild.Counts wire;
        Map<String, Long> sdkCalls;
        private final InMemoryImageRegistry registry = new InMemoryImageRegistry();

        Run(GantryConfig config, String seed, LoopbackCodeBuild server, SdkCalls calls, SdkBuildRunner runner) {
            this.config = config;
            this.seed = seed;
            this.count = config.baseImages().stream().mapToInt(b -> b.dependents().size()).sum();
            this.server = server;
            this.calls = calls;
            this.service = new RebuildService(config, ledger, runner, labels, registry, ACCOUNT, REGION, clock);
            this.goldenDigest = digest(seed + "/golden");
            this.runtimeDigest = digest(seed + "/runtime");
            this.finishNanos = new long[count];
        }

        void execute() {
            server.reset();
            calls.reset();
            long begin = System.nanoTime();
            long sdkBefore = calls.nanos.get();
            RebuildReport golden = timedPush(GOLDEN_REPOSITORY, goldenDigest);
            goldenPlanNanos = System.nanoTime() - begin;
            goldenPlanSdkNanos = calls.nanos.get() - sdkBefore;
            if (golden != null) {
                goldenStarted = (int) golden.outcomes().stream().filter(o -> o.action() == Action.STARTED).count();
                goldenQueued = (int) golden.outcomes().stream().filter(o -> o.action() == Action.QUEUED).count();
                if (golden.result() != RebuildReport.Result.REBUILDING) {
                    errors.add("the golden push was not planned: " + golden.summary());
                }
            }
            observe();

            int failCountdown = FAIL_EVERY;
            while (true) {
                Optional<LoopbackCodeBuild.RunningBuild> next = server.oldestRunning();
                if (next.isEmpty()) {
                    break;
                }
                LoopbackCodeBuild.RunningBuild build = next.get();
                clock.advance(EVENT_SPACING);
                boolean runtime = build.project().equals(projectOf(RUNTIME_DEPENDENT));
                boolean succeeded = runtime || --failCountdown > 0;
                if (!succeeded) {
                    failCountdown = FAIL_EVERY;
                }
                if (runtime && succeeded) {
                    // The build pushes its image before CodeBuild reports it done, so the push event comes first.
                    labels.givenBuiltOn(RUNTIME_REPOSITORY, runtimeDigest.value(),
                            ImageReference.ecr(ACCOUNT, REGION, GOLDEN_REPOSITORY, goldenDigest).render(), goldenDigest.value());
                    long pushBegin = System.nanoTime();
                    long pushSdkBefore = calls.nanos.get();
                    RebuildReport second = timedPush(RUNTIME_REPOSITORY, runtimeDigest);
                    runtimePlanNanos = System.nanoTime() - pushBegin;
                    runtimePlanSdkNanos = calls.nanos.get() - pushSdkBefore;
                    runtimePushed = true;
                    if (second != null) {
                        runtimeStarted = (int) second.outcomes().stream()
                                .filter(o -> o.action() == Action.STARTED).count();
                        runtimeQueued = (int) second.outcomes().stream()
                                .filter(o -> o.action() == Action.QUEUED).count();
                        if (second.result() != RebuildReport.Result.REBUILDING || second.wave() != 2) {
                            errors.add("the runtime push was not planned as wave 2: " + second.summary());
                        }
                    }
                    observe();
                }
                server.finish(build.id());
                long finishBegin = System.nanoTime();
                try {
                    RebuildReport report = service.onBuildFinished(build.id(), succeeded, succeeded ? null : "exit status 1 in BUILD");
                    if (report.result() != RebuildReport.Result.REBUILDING) {
                        errors.add("finish of " + build.id() + ": " + report.summary());
                    }
                } catch (RuntimeException e) {
                    errors.add("finish of " + build.id() + ": " + e);
                }
                if (finishes < finishNanos.length) {
                    finishNanos[finishes] = System.nanoTime() - finishBegin;
                }
                finishes++;
                observe();
                if (finishes > 2 * count) {
                    errors.add("more finish events than rebuilds: the loop would not end");
                    break;
                }
            }
            totalNanos = System.nanoTime() - begin;
            wire = server.counts();
            sdkCalls = calls.snapshot();
            for (Rebuild rebuild : store.all()) {
                byStatus.merge(rebuild.status(), 1, Integer::sum);
            }
            settled = byStatus.getOrDefault(RebuildStatus.SUCCEEDED, 0) + byStatus.getOrDefault(RebuildStatus.FAILED, 0);
            if (secondWave(count) > 0 && !runtimePushed) {
                errors.add("the runtime image was never built, so wave 2 never began");
            }
        }

        private RebuildReport timedPush(String repository, ImageDigest digest) {
            // The push moved the tag, as in ECR: a push whose tag names another digest is out of date, and plans nothing.
            registry.givenTag(ACCOUNT + ".dkr.ecr." + REGION + ".amazonaws.com/" + repository + ":" + TAG, digest);
            ImagePush push = new ImagePush("bench-" + seed + "-" + repository, ACCOUNT, REGION, repository, TAG, digest.value(),
                    "PUSH", "SUCCESS", clock.instant());
            try {
                return service.onImagePush(push);
            } catch (RuntimeException e) {
                errors.add("push of " + repository + ": " + e);
                return null;
            }
        }

        /** The ledger's own count of held slots, read past the counting wrapper so it is not in the operation counts. */
        private void observe() {
            peakInFlight = Math.max(peakInFlight, store.inFlightCount());
        }

        void print() {
            int secondWave = secondWave(count);
            out.println("golden push planning ms: " + millis(goldenPlanNanos) + " (onImagePush: " + (count - secondWave)
                    + " rebuilds enqueued, " + goldenStarted + " StartBuild calls made, " + goldenQueued + " queued; target < "
                    + PLAN_TARGET.toMillis() + " ms, checked on this machine's figure after the warm-up)");
            out.println("golden push planning ms in StartBuild: " + millis(goldenPlanSdkNanos) + " (SDK call time, loopback round "
                    + "trips included)");
            if (secondWave > 0) {
                out.println("runtime push planning ms: " + millis(runtimePlanNanos) + " (onImagePush: " + secondWave
                        + " rebuilds enqueued as wave 2 while wave 1 still built, " + runtimeStarted + " StartBuild calls made, "
                        + runtimeQueued + " queued)");
                out.println("runtime push planning ms in StartBuild: " + millis(runtimePlanSdkNanos));
            }
            out.println("total ms: " + millis(totalNanos) + " (push to the last finish event, " + finishes + " finish events)");
            out.println("finish event (onBuildFinished, a StartBuild in most) p50/p95/p99/max us: "
                    + micros(percentile(0.50)) + " / " + micros(percentile(0.95)) + " / " + micros(percentile(0.99)) + " / "
                    + micros(percentile(1.0)));
            out.println("StartBuild calls: " + wire.startBuilds + " (dependents: " + count + ", per dependent: "
                    + String.format(Locale.ROOT, "%.2f", (double) wire.startBuilds / count) + ")");
            out.println("StartBuild calls with a token already seen: " + wire.repeatedTokens);
            out.println("other AWS calls: " + wire.other + (wire.otherTargets.isEmpty() ? "" : " " + wire.otherTargets));
            out.println("SDK calls by operation: " + sdkCalls + " (the client's view: attempts on the wire may be more "
                    + "with retries)");
            out.println("peak concurrent builds: " + wire.peakRunning + " (running on the loopback server at once; bound "
                    + config.rebuilds().maxConcurrentBuilds() + ")");
            out.println("peak slots held in the ledger: " + peakInFlight);
            out.println("rebuilds by status: " + byStatus);
            long total = ledger.total();
            out.println("ledger operations: " + total + " (per rebuild: " + String.format(Locale.ROOT, "%.1f", (double) total / count)
                    + ")");
            out.println("ledger operations by kind: " + ledger.snapshot());
            out.println("errors: " + errors.size());
        }

        private long percentile(double p) {
            int n = Math.min(finishes, finishNanos.length);
            if (n == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(finishNanos, n);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p * n);
            return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
        }
    }

    /** Counts and times the SDK's calls, by operation, on the client side of the wire. */
    private static final class SdkCalls implements ExecutionInterceptor {
        private static final ExecutionAttribute<Long> BEGAN = new ExecutionAttribute<>("gantry-bench-began");
        final AtomicLong nanos = new AtomicLong();
        private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            attributes.putAttribute(BEGAN, System.nanoTime());
            byOperation.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), op -> new AtomicLong())
                    .incrementAndGet();
        }

        @Override
        public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
            elapsed(attributes);
        }

        @Override
        public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
            elapsed(attributes);
        }

        private void elapsed(ExecutionAttributes attributes) {
            Long began = attributes.getAttribute(BEGAN);
            if (began != null) {
                nanos.addAndGet(System.nanoTime() - began);
            }
        }

        void reset() {
            byOperation.clear();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> copy = new TreeMap<>();
            byOperation.forEach((op, n) -> copy.put(op, n.get()));
            return copy;
        }
    }

    /**
     * CodeBuild as far as StartBuild goes, on loopback: each new idempotency token starts a build with a fresh id that
     * runs until {@link #finish}; a token seen before answers the build it started, as CodeBuild does. Any other request
     * is counted and refused.
     */
    static final class LoopbackCodeBuild implements AutoCloseable {
        private static final ObjectMapper JSON = new ObjectMapper();

        record RunningBuild(String id, String project, long sequence) {}

        record Counts(long startBuilds, long repeatedTokens, long other, Map<String, Long> otherTargets, int peakRunning,
                List<String> malformed) {}

        private final HttpServer http;
        private final Map<String, RunningBuild> running = new LinkedHashMap<>();
        private final Map<String, String> buildByToken = new HashMap<>();
        private final Set<String> finished = new HashSet<>();
        private final Map<String, Long> otherTargets = new TreeMap<>();
        private final List<String> malformed = new ArrayList<>();
        private long startBuilds;
        private long repeatedTokens;
        private long other;
        private long sequence;
        private int peakRunning;
        private long generation;

        private LoopbackCodeBuild(HttpServer http) {
            this.http = http;
        }

        static LoopbackCodeBuild start() throws IOException {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            LoopbackCodeBuild server = new LoopbackCodeBuild(http);
            http.createContext("/", server::handle);
            // The server's own dispatcher thread answers: the client calls one at a time.
            http.setExecutor(null);
            http.start();
            return server;
        }

        URI uri() {
            return URI.create("http://" + http.getAddress().getAddress().getHostAddress() + ":" + http.getAddress().getPort());
        }

        synchronized void reset() {
            running.clear();
            buildByToken.clear();
            finished.clear();
            otherTargets.clear();
            malformed.clear();
            startBuilds = 0;
            repeatedTokens = 0;
            other = 0;
            sequence = 0;
            peakRunning = 0;
            generation++;
        }

        synchronized Optional<RunningBuild> oldestRunning() {
            return running.values().stream().findFirst();
        }

        synchronized void finish(String buildId) {
            if (running.remove(buildId) != null) {
                finished.add(buildId);
            }
        }

        synchronized Counts counts() {
            return new Counts(startBuilds, repeatedTokens, other, Map.copyOf(otherTargets), peakRunning, List.copyOf(malformed));
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body;
                try (InputStream in = exchange.getRequestBody()) {
                    body = in.readAllBytes();
                }
                String target = String.valueOf(exchange.getRequestHeaders().getFirst("X-Amz-Target"));
                if (!target.equals(START_BUILD_TARGET)) {
                    synchronized (this) {
                        other++;
                        otherTargets.merge(target, 1L, Long::sum);
                    }
                    respond(exchange, 400, "{\"__type\":\"InvalidInputException\",\"message\":\"the loopback CodeBuild answers "
                            + "StartBuild only\"}");
                    return;
                }
                JsonNode request = JSON.readTree(body);
                String project = request.path("projectName").asText("");
                String token = request.path("idempotencyToken").asText("");
                String id;
                synchronized (this) {
                    startBuilds++;
                    String problem = malformation(exchange, request, project, token);
                    if (problem != null) {
                        malformed.add(problem);
                    }
                    id = buildByToken.get(token);
                    if (id != null) {
                        repeatedTokens++;
                    } else {
                        sequence++;
                        // CodeBuild's form, <project>:<uuid>; derived, not random, so two runs start the same ids.
                        id = project + ":" + UUID.nameUUIDFromBytes((generation + "/" + sequence).getBytes(StandardCharsets.UTF_8));
                        buildByToken.put(token, id);
                        running.put(id, new RunningBuild(id, project, sequence));
                        peakRunning = Math.max(peakRunning, running.size());
                    }
                }
                String status = finished.contains(id) ? "SUCCEEDED" : "IN_PROGRESS";
                respond(exchange, 200, JSON.writeValueAsString(Map.of("build", Map.of(
                        "id", id,
                        "arn", "arn:aws:codebuild:" + REGION + ":" + ACCOUNT + ":build/" + id,
                        "projectName", project,
                        "buildStatus", status,
                        "currentPhase", "QUEUED"))));
            }
        }

        private static String malformation(HttpExchange exchange, JsonNode request, String project, String token) {
            String contentType = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type"));
            if (!contentType.startsWith("application/x-amz-json-1.1")) {
                return "Content-Type " + contentType;
            }
            if (project.isEmpty() || !token.matches("[0-9a-f]{64}")) {
                return "project '" + project + "', token '" + token + "'";
            }
            Map<String, String> plaintext = new HashMap<>();
            for (JsonNode variable : request.path("environmentVariablesOverride")) {
                if (variable.path("type").asText().equals("PLAINTEXT")) {
                    plaintext.put(variable.path("name").asText(), variable.path("value").asText());
                }
            }
            if (!plaintext.containsKey(RebuildService.BASE_IMAGE_VARIABLE) || !plaintext.containsKey(RebuildService.BASE_DIGEST_VARIABLE)) {
                return project + ": overrides " + plaintext.keySet();
            }
            return null;
        }

        private static void respond(HttpExchange exchange, int status, String json) throws IOException {
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.1");
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.nameUUIDFromBytes(bytes).toString());
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(bytes);
            }
        }

        @Override
        public void close() {
            http.stop(0);
        }
    }

    /** Counts the calls RebuildService makes at the ledger port, by operation; each is a round trip on DynamoDB. */
    private static final class CountingLedger implements RebuildLedger {
        private final RebuildLedger ledger;
        private final Map<String, Long> counts = new TreeMap<>();

        CountingLedger(RebuildLedger ledger) {
            this.ledger = ledger;
        }

        private void count(String operation) {
            counts.merge(operation, 1L, Long::sum);
        }

        long total() {
            return counts.values().stream().mapToLong(Long::longValue).sum();
        }

        Map<String, Long> snapshot() {
            return counts.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new));
        }

        @Override
        public boolean enqueue(Rebuild pending) {
            count("enqueue");
            return ledger.enqueue(pending);
        }

        @Override
        public Optional<RebuildKey> newest(String dependent) {
            count("newest");
            return ledger.newest(dependent);
        }

        @Override
        public Optional<Rebuild> find(RebuildKey key) {
            count("find");
            return ledger.find(key);
        }

        @Override
        public List<Rebuild> find(String dependent, ImageDigest baseDigest) {
            count("findByDependent");
            return ledger.find(dependent, baseDigest);
        }

        @Override
        public Optional<Rebuild> findByBuildId(String buildId) {
            count("findByBuildId");
            return ledger.findByBuildId(buildId);
        }

        @Override
        public boolean replace(Rebuild updated) {
            count("replace");
            return ledger.replace(updated);
        }

        @Override
        public SlotResult takeSlot(Rebuild starting, int maxInFlight) {
            count("takeSlot");
            return ledger.takeSlot(starting, maxInFlight);
        }

        @Override
        public boolean releaseSlot(Rebuild settled) {
            count("releaseSlot");
            return ledger.releaseSlot(settled);
        }

        @Override
        public List<Rebuild> pending(RunKey run, int limit) {
            count("pendingOfRun");
            return ledger.pending(run, limit);
        }

        @Override
        public List<Rebuild> pending(int limit) {
            count("pending");
            return ledger.pending(limit);
        }

        @Override
        public List<Rebuild> inFlight(RunKey run) {
            count("inFlight");
            return ledger.inFlight(run);
        }

        @Override
        public int inFlightCount() {
            count("inFlightCount");
            return ledger.inFlightCount();
        }

        @Override
        public List<Rebuild> stalled(Instant now, int limit) {
            count("stalled");
            return ledger.stalled(now, limit);
        }

        @Override
        public List<Rebuild> run(RunKey run) {
            count("run");
            return ledger.run(run);
        }

        @Override
        public void recordLineage(ImageLineage lineage) {
            count("recordLineage");
            ledger.recordLineage(lineage);
        }

        @Override
        public Optional<ImageLineage> lineage(String repository, ImageDigest digest) {
            count("lineage");
            return ledger.lineage(repository, digest);
        }

        @Override
        public List<ImageLineage> builtOn(String baseRepository, ImageDigest baseDigest) {
            count("builtOn");
            return ledger.builtOn(baseRepository, baseDigest);
        }
    }

    /** How many of {@code count} dependents are in the second wave: none when too few to spare the runtime image. */
    static int secondWave(int count) {
        return count >= SECOND_WAVE_EVERY ? count / SECOND_WAVE_EVERY : 0;
    }

    /**
     * The golden base first lists the runtime image (when there is a second wave), then its application images; the
     * runtime base lists the rest. Every dependent is a CodeBuild project pushing to a repository of its own.
     */
    static String configYaml(int count) {
        int secondWave = secondWave(count);
        StringBuilder yaml = new StringBuilder("""
                version: 1
                rebuilds:
                  maxConcurrentBuilds: %d
                baseImages:
                  - name: golden-java21
                    repository: %s
                    tag: %s
                    dependents:
                """.formatted(MAX_CONCURRENT_BUILDS, GOLDEN_REPOSITORY, TAG));
        int next = 0;
        if (secondWave > 0) {
            yaml.append(dependent(RUNTIME_DEPENDENT, RUNTIME_REPOSITORY));
            next++;
        }
        int app = 1;
        for (; next < count - secondWave; next++, app++) {
            yaml.append(dependent(appName(app), "apps/" + appName(app)));
        }
        if (secondWave > 0) {
            yaml.append("""
                      - name: %s
                        repository: %s
                        tag: %s
                        dependents:
                    """.formatted(RUNTIME_DEPENDENT, RUNTIME_REPOSITORY, TAG));
            for (int i = 0; i < secondWave; i++, app++) {
                yaml.append(dependent(appName(app), "apps/" + appName(app)));
            }
        }
        return yaml.toString();
    }

    private static String dependent(String name, String produces) {
        return """
                      - name: %s
                        codebuild: %s
                        produces: %s
                """.formatted(name, projectOf(name), produces);
    }

    static String appName(int index) {
        return String.format(Locale.ROOT, "svc-%04d", index);
    }

    static String projectOf(String dependent) {
        return dependent + "-image";
    }

    static ImageDigest digest(String seed) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8));
            return new ImageDigest("sha256:" + HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e3);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
