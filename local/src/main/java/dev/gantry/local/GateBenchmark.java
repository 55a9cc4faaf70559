package dev.gantry.local;

import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.StateTable;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.Approval;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.ChangeCalendars;
import dev.gantry.core.gate.CustomChecks;
import dev.gantry.core.gate.GateOrigin;
import dev.gantry.core.gate.GateRecord;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.gate.GateStatus;
import dev.gantry.core.gate.GateStore;
import dev.gantry.core.gate.GateSubject;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.testing.InMemoryGateStore;
import dev.gantry.testing.InMemoryReleaseStore;
import dev.gantry.testing.MutableClock;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * What deciding releases at their gates costs Gantry itself: {@link GateService} over a configuration parsed
 * by {@link ConfigLoader}, with fakes that answer alarms, change calendars, custom checks and approver groups
 * at once, so no AWS latency is in the figures. Run by {@code scripts/bench gates [COUNT]}.
 *
 * <p>Releases arrive in waves of one new digest per service, because a newer digest supersedes the one
 * still waiting at the same gate: sending all releases of a service at once would leave one waiting and
 * decide nothing else. Each wave goes through three phases, and each phase's figures add up every wave:
 * first arrival; a re-ask inside the sampling interval, which must not run a single check; and a look after
 * the interval, with approvals recorded through {@link GateService#decide} so that a share of the gates
 * pass. The first-arrival phase is then run again with the DynamoDB stores against DynamoDB Local in this
 * JVM, for the store's share. The time spent in the stores is measured apart in both runs, so the figures
 * without it are Gantry's decisions alone.
 *
 * <p>Prints one figure per line. Exits 1 when any call threw or the re-ask ran checks.
 */
public final class GateBenchmark {

    static final int DEFAULT_COUNT = 10_000;
    static final int DYNAMO_COUNT_CAP = 1_000;
    /** Enough to bring the decision path to compiled code before anything is measured. */
    static final int WARM_UP_COUNT = 2_000;
    static final int DYNAMO_WARM_UP_COUNT = 150;

    static final String[] DOMAINS = {"payments", "orders", "catalog", "search", "accounts", "shipping", "pricing", "reviews",
            "notifications", "inventory"};
    static final String[] PARTS = {"api", "worker", "web", "events", "reports"};
    static final int SERVICES = DOMAINS.length * PARTS.length;

    /** A Tuesday morning: no weekend or nightly freeze covers the hours the waves span at the default count. */
    static final Instant START = Instant.parse("2026-03-10T11:00:00Z");
    static final Duration RE_ASK_AFTER = Duration.ofSeconds(10);
    /** Past the gates' one-minute sampling interval, so the look after it is due. */
    static final Duration LOOK_AGAIN_AFTER = Duration.ofMinutes(2);
    /** The second approval comes later than the first: one recorded at the instant of the last evaluation is not new to it. */
    static final Duration SECOND_APPROVAL_AFTER = Duration.ofSeconds(5);
    static final Duration WAVE_SPACING = Duration.ofMinutes(3);

    /** Slack user U0APPROVER1, who may approve but triggers every fifth release, so she is left out of the approvers. */
    static final String ALICE_EMAIL = "alice@example.com";
    static final List<String> APPROVERS_BUT_ALICE = List.of("U0APPROVER2", "U0APPROVER3", "U0APPROVER4", "U0APPROVER5");
    static final String APPROVER_GROUP = "S0RELEASEMGRS";

    private static final String TABLE = "gantry-bench";
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final PrintStream out;
    private final List<String> problems = new ArrayList<>();

    GateBenchmark(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_COUNT;
        if (count < 1) {
            System.err.println("usage: GateBenchmark [COUNT], COUNT at least 1");
            System.exit(2);
        }
        System.exit(new GateBenchmark(System.out).run(count));
    }

    int run(int count) throws Exception {
        GantryConfig config = ConfigLoader.parse(configYaml(), "gate-benchmark.yml");
        long gated = config.services().stream().flatMap(s -> s.environments().stream()).filter(e -> e.gated()).count();
        out.println("Gantry gate benchmark");
        out.println("measures: GateService's own decision cost; the fakes for alarms, change calendars, custom checks and approver "
                + "groups answer at once, so no AWS latency is in these figures");
        out.println("java: " + System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vm.vendor") + ")");
        out.println("jvm flags: " + String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        out.println("cpus: " + Runtime.getRuntime().availableProcessors());
        out.println("load average at the start: " + loadAverage());
        out.println("max heap MB: " + mb(Runtime.getRuntime().maxMemory()));
        out.println("configuration: " + config.services().size() + " services x 2 environments, " + gated + " gated environments, "
                + config.gates().size() + " gates, parsed and validated by ConfigLoader");
        out.println("each gate: alarms by name (one composite) and prefix, 30m soak in staging, 2 of 5 approvals (3 users and a "
                + "group), freezes (weekends in Europe/Berlin, nights in America/New_York, a one-off, a change calendar), "
                + "1 custom check, 4h timeout");
        out.println("answers: accounts' latency alarm has no data (waits), inventory's 5xx alarm fires (fails), notifications' change "
                + "calendar is closed (waits), search's custom check says wait, shipping's fails 1 digest in 8; every 10th digest "
                + "soaked only 10 min in staging, every 25th is still rolling out there");
        out.println("threads: 1 (calls one after another)");
        out.println("logging: Gantry's at " + System.getenv().getOrDefault("POWERTOOLS_LOG_LEVEL", "INFO")
                + " (its INFO lines per evaluation are not written)");

        out.println();
        out.println("== warm-up: " + WARM_UP_COUNT + " releases through all three phases, in memory, not counted");
        Run warmUp = new Run(config, "warm-up", WARM_UP_COUNT, new PartitionedGateStore(), new PartitionedReleaseStore());
        warmUp.execute(true);
        out.println("warm-up errors: " + warmUp.errors());
        failIfBroken("warm-up", warmUp);

        out.println();
        out.println("== in memory: " + count + " releases in " + waves(count) + " waves of one release per service");
        out.println("stores: InMemoryGateStore and InMemoryReleaseStore, with the waiting records and the release history "
                + "read from one service environment's records, as DynamoDB's Query reads one partition; their time is also shown apart");
        collectGarbage();
        long heapBefore = heapUsed();
        Run inMemory = new Run(config, "measured", count, new PartitionedGateStore(), new PartitionedReleaseStore());
        inMemory.execute(true);
        long heapAfter = heapUsed();
        collectGarbage();
        long heapRetained = heapUsed();
        inMemory.print(out, true);
        out.println("heap used before MB: " + mb(heapBefore) + " (after a GC)");
        out.println("heap used after MB: " + mb(heapAfter) + " (before a GC)");
        out.println("heap retained after MB: " + mb(heapRetained) + " (after a GC, " + count + " gate records and "
                + count + " staging releases held)");
        failIfBroken("in memory", inMemory);

        out.println();
        int dynamoCount = Math.min(count, DYNAMO_COUNT_CAP);
        runOnDynamoDbLocal(config, dynamoCount);

        out.println();
        out.println("load average at the end: " + loadAverage());
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        if (load > Runtime.getRuntime().availableProcessors()) {
            out.println("warning: the load was above the number of cpus: other processes slowed these figures; "
                    + "compare the cpu ms lines, and run again on a quiet machine");
        }
        if (problems.isEmpty()) {
            out.println("result: OK");
            return 0;
        }
        out.println("result: FAILED");
        problems.forEach(p -> out.println("problem: " + p));
        return 1;
    }

    private void runOnDynamoDbLocal(GantryConfig config, int count) throws Exception {
        out.println("== DynamoDB Local: phase 1 (first arrival) for " + count + " releases in " + waves(count) + " waves");
        out.println("stores: DynamoDbGateStore and DynamoDbReleaseStore, SDK client over loopback HTTP (URL connection client) "
                + "to DynamoDB Local in this JVM, in memory: the round trips and marshalling, not DynamoDB's own latency");
        int port = freePort();
        DynamoDBProxyServer server;
        PrintStream stdout = System.out;
        // DynamoDB Local prints its settings on standard output, in the middle of the figures.
        System.setOut(new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
        try {
            server = ServerRunner.createServerFromCommandLineArgs(new String[] {"-inMemory", "-port", Integer.toString(port)});
            server.start();
        } finally {
            System.setOut(stdout);
        }
        RequestCounter requests = new RequestCounter();
        try (DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port))
                .region(Region.EU_WEST_1)
                // DynamoDB Local accepts only letters and digits in the access key id.
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("benchaccesskey", "bench-secret-key")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.addExecutionInterceptor(requests))
                .build()) {
            StateTable.createIfMissing(dynamo, TABLE + "-warm-up");
            Run warmUp = new Run(config, "dynamo-warm-up", DYNAMO_WARM_UP_COUNT,
                    new DynamoDbGateStore(dynamo, TABLE + "-warm-up"), new DynamoDbReleaseStore(dynamo, TABLE + "-warm-up"));
            warmUp.execute(false);
            out.println("warm-up: " + DYNAMO_WARM_UP_COUNT + " releases, phase 1, another table, not counted");
            out.println("warm-up errors: " + warmUp.errors());
            failIfBroken("DynamoDB Local warm-up", warmUp);

            StateTable.createIfMissing(dynamo, TABLE);
            Run onDynamo = new Run(config, "dynamo", count, new DynamoDbGateStore(dynamo, TABLE), new DynamoDbReleaseStore(dynamo, TABLE));
            onDynamo.requests = requests;
            onDynamo.execute(false);
            onDynamo.print(out, false);
            Phase arrivals = onDynamo.phases.get(0);
            out.println("DynamoDB requests per evaluation: " + String.format(Locale.ROOT, "%.2f", (double) arrivals.dynamoRequests()
                    / Math.max(1, arrivals.calls())));
            out.println("note: the in-memory phase 1 followed phase 3 in every wave, this one did not: more releases were still "
                    + "waiting here, so more were superseded (see the superseded figure of each)");
            failIfBroken("DynamoDB Local", onDynamo);
        } finally {
            server.stop();
        }
    }

    private void failIfBroken(String where, Run run) {
        if (run.errors() > 0) {
            problems.add(where + ": " + run.errors() + " calls threw, first: " + run.firstError);
        }
        if (run.phases.size() > 1 && run.phases.get(1).checks.total() > 0) {
            problems.add(where + ": the re-ask inside the sampling interval ran checks (" + run.phases.get(1).checks
                    + "); it must only read the record");
        }
    }

    /** One pass of COUNT releases through the gate service, with its own stores, fakes and clock. */
    private static final class Run {
        final String seed;
        final int count;
        final MutableClock clock = new MutableClock(START);
        final StoreTimer storeTimer = new StoreTimer();
        final CountingGateStore gates;
        final CountingReleaseStore releases;
        final BenchAlarms alarms = new BenchAlarms();
        final BenchCalendars calendars = new BenchCalendars();
        final BenchCustomChecks custom = new BenchCustomChecks();
        final BenchApproverGroups groups = new BenchApproverGroups();
        final GateService service;
        final List<Phase> phases = new ArrayList<>();
        final GateStatus[] lastStatus;
        RequestCounter requests;
        String firstError;

        Run(GantryConfig config, String seed, int count, GateStore gateStore, ReleaseStore releaseStore) {
            this.seed = seed;
            this.count = count;
            this.gates = new CountingGateStore(gateStore, storeTimer);
            this.releases = new CountingReleaseStore(releaseStore, storeTimer);
            this.service = new GateService(config, gates, releases, alarms, calendars, custom, groups, clock);
            this.lastStatus = new GateStatus[count];
        }

        void execute(boolean allPhases) {
            Phase arrival = new Phase(true, "phase 1: first arrival (record created, an older release still waiting superseded, "
                    + "checks run)", count);
            Phase reAsk = new Phase(false, "phase 2: re-ask " + RE_ASK_AFTER.toSeconds() + " s later, inside the sampling interval "
                    + "(must read the record and run no check)", count);
            Phase afterInterval = new Phase(false, "phase 3: " + LOOK_AGAIN_AFTER.toMinutes() + " min later, after the interval: "
                    + "approvals recorded through decide() (70% two approvals, 10% one, 5% a reject), the rest asked again",
                    count * 2);
            phases.add(arrival);
            if (allPhases) {
                phases.add(reAsk);
                phases.add(afterInterval);
            }
            int waveCount = waves(count);
            for (int wave = 0; wave < waveCount; wave++) {
                int from = wave * SERVICES;
                int to = Math.min(count, from + SERVICES);
                Instant waveStart = START.plus(WAVE_SPACING.multipliedBy(wave));
                List<GateSubject> subjects = new ArrayList<>(to - from);
                for (int i = from; i < to; i++) {
                    subjects.add(subject(i, waveStart));
                    seedStaging(i, subjects.getLast().key().digest(), waveStart);
                }
                arrival.supersedable += countWaiting(from - SERVICES, from);

                moveClockTo(waveStart);
                arrival.begin(this);
                for (int i = from; i < to; i++) {
                    GateSubject subject = subjects.get(i - from);
                    arrival.time(this, i, () -> service.evaluate(subject));
                }
                arrival.end(this);
                if (!allPhases) {
                    continue;
                }

                moveClockTo(waveStart.plus(RE_ASK_AFTER));
                reAsk.begin(this);
                for (int i = from; i < to; i++) {
                    GateSubject subject = subjects.get(i - from);
                    reAsk.time(this, i, () -> service.evaluate(subject));
                }
                reAsk.end(this);

                Instant firstLook = waveStart.plus(LOOK_AGAIN_AFTER);
                moveClockTo(firstLook);
                afterInterval.begin(this);
                for (int i = from; i < to; i++) {
                    GateSubject subject = subjects.get(i - from);
                    Approval first = switch (plan(i)) {
                        case TWO_APPROVALS, ONE_APPROVAL -> approval(i, subject, 0, Approval.Decision.APPROVE, firstLook);
                        case REJECT -> approval(i, subject, 0, Approval.Decision.REJECT, firstLook);
                        case NONE -> null;
                    };
                    if (first != null) {
                        afterInterval.time(this, i, () -> service.decide(subject.key(), first));
                    }
                }
                Instant secondLook = firstLook.plus(SECOND_APPROVAL_AFTER);
                moveClockTo(secondLook);
                for (int i = from; i < to; i++) {
                    GateSubject subject = subjects.get(i - from);
                    switch (plan(i)) {
                        case TWO_APPROVALS -> {
                            Approval second = approval(i, subject, 1, Approval.Decision.APPROVE, secondLook);
                            afterInterval.time(this, i, () -> service.decide(subject.key(), second));
                        }
                        case NONE -> afterInterval.time(this, i, () -> service.evaluate(subject));
                        case ONE_APPROVAL, REJECT -> { }
                    }
                }
                afterInterval.end(this);
            }
            for (Phase phase : phases) {
                phase.finish();
            }
        }

        /** The waves' times are fixed, whatever the clock saw before. */
        private void moveClockTo(Instant instant) {
            clock.advance(Duration.between(clock.instant(), instant));
        }

        /** Releases of the previous wave still waiting: the next wave's arrivals supersede them. */
        private int countWaiting(int from, int to) {
            int waiting = 0;
            for (int i = Math.max(0, from); i < to; i++) {
                if (lastStatus[i] == GateStatus.WAITING) {
                    waiting++;
                }
            }
            return waiting;
        }

        GateSubject subject(int release, Instant arrival) {
            int serviceIndex = release % SERVICES;
            String name = serviceName(serviceIndex);
            ImageDigest digest = digest(seed, release);
            String image = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/" + name + "@" + digest.value();
            List<String> triggeredBy = release % 5 == 0 ? List.of(ALICE_EMAIL) : List.of("dev" + (release % 40) + "@example.com");
            GateOrigin origin = GateOrigin.values()[release % GateOrigin.values().length];
            return new GateSubject(new ReleaseKey(name, "prod", digest), image, "1." + (release / SERVICES) + ".0",
                    arrival.minus(Duration.ofMinutes(45)), triggeredBy, origin);
        }

        /**
         * The same digest's release in staging, where the soak counts: most completed their rollout long
         * enough ago, every tenth only ten minutes before, and every 25th is still rolling out.
         */
        void seedStaging(int release, ImageDigest digest, Instant arrival) {
            String name = serviceName(release % SERVICES);
            ReleaseKey key = new ReleaseKey(name, "staging", digest);
            boolean young = release % 10 == 3;
            boolean rollingOut = release % 25 == 7;
            Instant completed = arrival.minus(young ? Duration.ofMinutes(10) : Duration.ofMinutes(34));
            Instant created = completed.minus(Duration.ofMinutes(2));
            String owner = "bench-" + release;
            releases.untimed(store -> {
                store.claim(Release.proposed(key, "1." + (release / SERVICES) + ".0",
                        "111111111111.dkr.ecr.eu-west-1.amazonaws.com/" + name + "@" + digest.value(), "event-" + release, owner,
                        created.plus(Duration.ofMinutes(15)), created), created, Duration.ofMinutes(15));
                store.recordServiceUpdated(key, owner, created.plus(Duration.ofMinutes(1)));
                store.recordRollout(key, rollingOut ? RolloutStatus.IN_PROGRESS : RolloutStatus.COMPLETED, null, completed);
            });
        }

        Approval approval(int release, GateSubject subject, int which, Approval.Decision decision, Instant at) {
            String user = APPROVERS_BUT_ALICE.get((release + which) % APPROVERS_BUT_ALICE.size());
            return new Approval(user, at, subject.key().digest(), decision, decision == Approval.Decision.REJECT
                    ? "error budget spent this week" : "looked at the diff and the staging dashboards");
        }

        long errors() {
            return phases.stream().mapToLong(p -> p.errors).sum();
        }

        void print(PrintStream out, boolean inMemory) {
            for (Phase phase : phases) {
                out.println();
                out.println("-- " + phase.title);
                phase.print(out, inMemory, requests != null);
            }
            out.println();
            Map<GateStatus, Integer> atTheEnd = new EnumMap<>(GateStatus.class);
            for (int i = 0; i < count; i++) {
                Optional<GateRecord> record = gates.untimedFind(new ReleaseKey(serviceName(i % SERVICES), "prod", digest(seed, i)));
                record.ifPresent(r -> atTheEnd.merge(r.status(), 1, Integer::sum));
            }
            for (GateStatus status : GateStatus.values()) {
                out.println("records at the end " + status + ": " + atTheEnd.getOrDefault(status, 0));
            }
        }
    }

    /** What phase 3 does with a release: the shares its title states. */
    enum Plan { TWO_APPROVALS, ONE_APPROVAL, REJECT, NONE }

    static Plan plan(int release) {
        int slot = release % 20;
        if (slot < 14) {
            return Plan.TWO_APPROVALS;
        }
        if (slot < 16) {
            return Plan.ONE_APPROVAL;
        }
        return slot == 16 ? Plan.REJECT : Plan.NONE;
    }

    /** Figures of one phase, summed over every wave. */
    private static final class Phase {
        final boolean arrivals;
        final String title;
        long[] nanos;
        long[] storeNanos;
        int calls;
        long errors;
        long wallNanos;
        long phaseStart;
        long cpuNanos;
        long phaseCpuStart;
        int supersedable;
        final Map<GateStatus, Integer> outcomes = new EnumMap<>(GateStatus.class);
        final Map<Integer, GateStatus> outcomeByRelease = new HashMap<>();
        CheckCalls checksAtStart;
        CheckCalls checks = CheckCalls.NONE;
        Map<String, Long> storeCallsAtStart;
        final Map<String, Long> storeCalls = new TreeMap<>();
        Map<String, Long> storeTimeAtStart;
        final Map<String, Long> storeTime = new TreeMap<>();
        long requestsAtStart;
        long dynamoRequests;
        Map<String, Long> requestsByOperationAtStart;
        final Map<String, Long> requestsByOperation = new TreeMap<>();

        Phase(boolean arrivals, String title, int expectedCalls) {
            this.arrivals = arrivals;
            this.title = title;
            this.nanos = new long[Math.max(16, expectedCalls)];
            this.storeNanos = new long[nanos.length];
        }

        void begin(Run run) {
            checksAtStart = CheckCalls.of(run);
            storeCallsAtStart = run.storeTimer.snapshot();
            storeTimeAtStart = run.storeTimer.timeSnapshot();
            if (run.requests != null) {
                requestsAtStart = run.requests.total.get();
                requestsByOperationAtStart = run.requests.snapshot();
            }
            phaseCpuStart = THREADS.getCurrentThreadCpuTime();
            phaseStart = System.nanoTime();
        }

        void time(Run run, int release, Supplier<GateRecord> call) {
            long storeBefore = run.storeTimer.nanos;
            long start = System.nanoTime();
            GateStatus status;
            try {
                status = call.get().status();
            } catch (RuntimeException e) {
                errors++;
                if (run.firstError == null) {
                    run.firstError = e.getClass().getSimpleName() + ": " + e.getMessage();
                }
                status = null;
            }
            long elapsed = System.nanoTime() - start;
            if (calls == nanos.length) {
                nanos = Arrays.copyOf(nanos, calls * 2);
                storeNanos = Arrays.copyOf(storeNanos, calls * 2);
            }
            nanos[calls] = elapsed;
            storeNanos[calls] = run.storeTimer.nanos - storeBefore;
            calls++;
            run.lastStatus[release] = status;
            if (status != null) {
                outcomeByRelease.put(release, status);
            }
        }

        void end(Run run) {
            wallNanos += System.nanoTime() - phaseStart;
            cpuNanos += THREADS.getCurrentThreadCpuTime() - phaseCpuStart;
            checks = checks.plus(CheckCalls.of(run).minus(checksAtStart));
            run.storeTimer.snapshot().forEach((call, n) -> storeCalls.merge(call, n - storeCallsAtStart.getOrDefault(call, 0L), Long::sum));
            run.storeTimer.timeSnapshot().forEach((call, n) -> storeTime.merge(call, n - storeTimeAtStart.getOrDefault(call, 0L), Long::sum));
            if (run.requests != null) {
                dynamoRequests += run.requests.total.get() - requestsAtStart;
                run.requests.snapshot().forEach((op, n) ->
                        requestsByOperation.merge(op, n - requestsByOperationAtStart.getOrDefault(op, 0L), Long::sum));
            }
        }

        /** Each release's outcome is its status after its last call in this phase. */
        void finish() {
            nanos = Arrays.copyOf(nanos, calls);
            storeNanos = Arrays.copyOf(storeNanos, calls);
            outcomeByRelease.values().forEach(s -> outcomes.merge(s, 1, Integer::sum));
            outcomeByRelease.clear();
        }

        int calls() {
            return calls;
        }

        long dynamoRequests() {
            return dynamoRequests;
        }

        void print(PrintStream out, boolean inMemory, boolean dynamo) {
            long[] withoutStores = new long[calls];
            long storeTotal = 0;
            for (int i = 0; i < calls; i++) {
                withoutStores[i] = nanos[i] - storeNanos[i];
                storeTotal += storeNanos[i];
            }
            long callTotal = Arrays.stream(nanos).sum();
            out.println("calls: " + calls + " (each a GateService evaluate or decide, which evaluates when the record is due)");
            out.println("errors: " + errors);
            out.println("total ms: " + millis(wallNanos));
            out.println("cpu ms of this thread: " + millis(cpuNanos) + " (below the total when other processes took the cpus)");
            out.println("evaluations/s: " + (wallNanos == 0 ? 0 : Math.round(calls / (wallNanos / 1e9))));
            out.println("p50 µs: " + micros(percentileOf(nanos, 0.50)));
            out.println("p95 µs: " + micros(percentileOf(nanos, 0.95)));
            out.println("p99 µs: " + micros(percentileOf(nanos, 0.99)));
            out.println("max µs: " + micros(percentileOf(nanos, 1.0)));
            out.println("time in stores ms: " + millis(storeTotal) + " (" + percent(storeTotal, callTotal) + " of the calls' time)");
            out.println("store time per call p50 µs: " + micros(percentileOf(storeNanos, 0.50)));
            out.println("store time per call p99 µs: " + micros(percentileOf(storeNanos, 0.99)));
            storeTime.forEach((call, n) -> {
                if (storeCalls.getOrDefault(call, 0L) > 0) {
                    out.println("store ms, " + call + ": " + millis(n));
                }
            });
            String without = inMemory ? "without the in-memory stores' time" : "without the stores' time";
            out.println("p50 µs " + without + ": " + micros(percentileOf(withoutStores, 0.50)));
            out.println("p99 µs " + without + ": " + micros(percentileOf(withoutStores, 0.99)));
            out.println("check calls: " + checks.total());
            out.println("check calls, alarms: " + checks.alarms());
            out.println("check calls, change calendars: " + checks.calendars());
            out.println("check calls, custom checks: " + checks.custom());
            out.println("check calls, approver groups: " + checks.groups());
            out.println("check calls, release history reads for the soak: " + checks.histories());
            storeCalls.forEach((call, n) -> {
                if (n > 0) {
                    out.println("store calls, " + call + ": " + n);
                }
            });
            if (arrivals) {
                out.println("older releases superseded: " + supersedable);
            }
            if (dynamo) {
                out.println("DynamoDB requests: " + dynamoRequests);
                requestsByOperation.forEach((op, n) -> {
                    if (n > 0) {
                        out.println("DynamoDB requests, " + op + ": " + n);
                    }
                });
            }
            for (GateStatus status : List.of(GateStatus.PASSED, GateStatus.WAITING, GateStatus.FAILED, GateStatus.TIMED_OUT)) {
                out.println("outcome " + status + ": " + outcomes.getOrDefault(status, 0));
            }
        }
    }

    /**
     * Calls into the fakes, and the soak's reads of the previous environment's releases: everything an
     * evaluation asks only when it runs its checks.
     */
    record CheckCalls(long alarms, long calendars, long custom, long groups, long histories) {
        static final CheckCalls NONE = new CheckCalls(0, 0, 0, 0, 0);

        static CheckCalls of(Run run) {
            return new CheckCalls(run.alarms.calls, run.calendars.calls, run.custom.calls, run.groups.calls,
                    run.storeTimer.count("release store history"));
        }

        CheckCalls plus(CheckCalls o) {
            return new CheckCalls(alarms + o.alarms, calendars + o.calendars, custom + o.custom, groups + o.groups, histories + o.histories);
        }

        CheckCalls minus(CheckCalls o) {
            return new CheckCalls(alarms - o.alarms, calendars - o.calendars, custom - o.custom, groups - o.groups, histories - o.histories);
        }

        long total() {
            return alarms + calendars + custom + groups + histories;
        }
    }

    /** Time spent in the stores and calls made to them, so a phase can show Gantry's own share apart. */
    private static final class StoreTimer {
        long nanos;
        /** Per call: how many, and nanoseconds spent. */
        private final Map<String, long[]> counts = new HashMap<>();
        private boolean paused;

        <T> T time(String call, Supplier<T> body) {
            if (paused) {
                return body.get();
            }
            long start = System.nanoTime();
            try {
                return body.get();
            } finally {
                long spent = System.nanoTime() - start;
                nanos += spent;
                long[] tally = counts.computeIfAbsent(call, c -> new long[2]);
                tally[0]++;
                tally[1] += spent;
            }
        }

        Map<String, Long> timeSnapshot() {
            Map<String, Long> copy = new TreeMap<>();
            counts.forEach((call, n) -> copy.put(call, n[1]));
            return copy;
        }

        long count(String call) {
            long[] n = counts.get(call);
            return n == null ? 0 : n[0];
        }

        Map<String, Long> snapshot() {
            Map<String, Long> copy = new TreeMap<>();
            counts.forEach((call, n) -> copy.put(call, n[0]));
            return copy;
        }

        void untimed(Runnable body) {
            paused = true;
            try {
                body.run();
            } finally {
                paused = false;
            }
        }
    }

    private static final class CountingGateStore implements GateStore {
        private final GateStore store;
        private final StoreTimer timer;

        CountingGateStore(GateStore store, StoreTimer timer) {
            this.store = store;
            this.timer = timer;
        }

        Optional<GateRecord> untimedFind(ReleaseKey key) {
            AtomicReference<Optional<GateRecord>> found = new AtomicReference<>();
            timer.untimed(() -> found.set(store.find(key)));
            return found.get();
        }

        @Override
        public Optional<GateRecord> find(ReleaseKey key) {
            return timer.time("gate store find", () -> store.find(key));
        }

        @Override
        public boolean create(GateRecord record) {
            return timer.time("gate store create", () -> store.create(record));
        }

        @Override
        public boolean replace(GateRecord updated) {
            return timer.time("gate store replace", () -> store.replace(updated));
        }

        @Override
        public List<GateRecord> waiting(String service, String environment) {
            return timer.time("gate store waiting", () -> store.waiting(service, environment));
        }

        @Override
        public List<GateRecord> due(Instant now, int limit) {
            return timer.time("gate store due", () -> store.due(now, limit));
        }
    }

    private static final class CountingReleaseStore implements ReleaseStore {
        private final ReleaseStore store;
        private final StoreTimer timer;

        CountingReleaseStore(ReleaseStore store, StoreTimer timer) {
            this.store = store;
            this.timer = timer;
        }

        /** Seeding the releases a soak reads is setup, not part of any evaluation. */
        void untimed(Consumer<ReleaseStore> seeding) {
            timer.untimed(() -> seeding.accept(store));
        }

        @Override
        public Claim claim(Release release, Instant now, Duration lease) {
            return timer.time("release store claim", () -> store.claim(release, now, lease));
        }

        @Override
        public void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn, String taskDefinitionArn,
                List<String> changes, Instant now) {
            timer.time("release store recordRegistered", () -> {
                store.recordRegistered(key, owner, previousTaskDefinitionArn, taskDefinitionArn, changes, now);
                return null;
            });
        }

        @Override
        public void recordServiceUpdated(ReleaseKey key, String owner, Instant now) {
            timer.time("release store recordServiceUpdated", () -> {
                store.recordServiceUpdated(key, owner, now);
                return null;
            });
        }

        @Override
        public void abandon(ReleaseKey key, String owner, Instant now) {
            timer.time("release store abandon", () -> {
                store.abandon(key, owner, now);
                return null;
            });
        }

        @Override
        public Optional<Release> find(ReleaseKey key) {
            return timer.time("release store find", () -> store.find(key));
        }

        @Override
        public List<Release> history(String service, String environment) {
            return timer.time("release store history", () -> store.history(service, environment));
        }

        @Override
        public boolean recordRollout(ReleaseKey key, RolloutStatus status, String reason, Instant now) {
            return timer.time("release store recordRollout", () -> store.recordRollout(key, status, reason, now));
        }

        @Override
        public boolean lockEnvironment(String service, String environment, String owner, Instant now, Duration lease) {
            return timer.time("release store lockEnvironment", () -> store.lockEnvironment(service, environment, owner, now, lease));
        }

        @Override
        public void unlockEnvironment(String service, String environment, String owner) {
            timer.time("release store unlockEnvironment", () -> {
                store.unlockEnvironment(service, environment, owner);
                return null;
            });
        }
    }

    /**
     * The testing module's gate store, with {@link #waiting} reading one service environment's records the
     * way DynamoDB's Query reads one partition. Its own scan of every record would make each arrival's cost
     * grow with the whole table, and the benchmark would measure the fake.
     */
    private static final class PartitionedGateStore implements GateStore {
        private final InMemoryGateStore store = new InMemoryGateStore();
        private final Map<String, List<ReleaseKey>> partitions = new HashMap<>();

        @Override
        public Optional<GateRecord> find(ReleaseKey key) {
            return store.find(key);
        }

        @Override
        public boolean create(GateRecord record) {
            boolean created = store.create(record);
            if (created) {
                partitions.computeIfAbsent(partition(record.key()), p -> new ArrayList<>()).add(record.key());
            }
            return created;
        }

        @Override
        public boolean replace(GateRecord updated) {
            return store.replace(updated);
        }

        @Override
        public List<GateRecord> waiting(String service, String environment) {
            List<GateRecord> waiting = new ArrayList<>();
            for (ReleaseKey key : partitions.getOrDefault(service + "#" + environment, List.of())) {
                store.find(key).filter(r -> r.status() == GateStatus.WAITING).ifPresent(waiting::add);
            }
            return waiting;
        }

        @Override
        public List<GateRecord> due(Instant now, int limit) {
            return store.due(now, limit);
        }
    }

    /** The testing module's release store, its history read from one service environment's records, as above. */
    private static final class PartitionedReleaseStore implements ReleaseStore {
        private final InMemoryReleaseStore store = new InMemoryReleaseStore();
        private final Map<String, List<ReleaseKey>> partitions = new HashMap<>();

        @Override
        public Claim claim(Release release, Instant now, Duration lease) {
            boolean isNew = store.find(release.key()).isEmpty();
            Claim claim = store.claim(release, now, lease);
            if (isNew && claim instanceof Claim.Granted) {
                partitions.computeIfAbsent(partition(release.key()), p -> new ArrayList<>()).add(release.key());
            }
            return claim;
        }

        @Override
        public void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn, String taskDefinitionArn,
                List<String> changes, Instant now) {
            store.recordRegistered(key, owner, previousTaskDefinitionArn, taskDefinitionArn, changes, now);
        }

        @Override
        public void recordServiceUpdated(ReleaseKey key, String owner, Instant now) {
            store.recordServiceUpdated(key, owner, now);
        }

        @Override
        public void abandon(ReleaseKey key, String owner, Instant now) {
            store.abandon(key, owner, now);
        }

        @Override
        public Optional<Release> find(ReleaseKey key) {
            return store.find(key);
        }

        @Override
        public List<Release> history(String service, String environment) {
            List<Release> history = new ArrayList<>();
            for (ReleaseKey key : partitions.getOrDefault(service + "#" + environment, List.of())) {
                store.find(key).ifPresent(history::add);
            }
            history.sort(Comparator.comparing(Release::createdAt).reversed());
            return history;
        }

        @Override
        public boolean recordRollout(ReleaseKey key, RolloutStatus status, String reason, Instant now) {
            return store.recordRollout(key, status, reason, now);
        }

        @Override
        public boolean lockEnvironment(String service, String environment, String owner, Instant now, Duration lease) {
            return store.lockEnvironment(service, environment, owner, now, lease);
        }

        @Override
        public void unlockEnvironment(String service, String environment, String owner) {
            store.unlockEnvironment(service, environment, owner);
        }
    }

    static String partition(ReleaseKey key) {
        return key.service() + "#" + key.environment();
    }

    /**
     * Every domain's alarms are OK except: accounts has a latency alarm without data (its gate waits),
     * inventory has its 5xx alarm firing (its gate fails).
     */
    private static final class BenchAlarms implements AlarmStates {
        private final Map<String, AlarmState> all = new HashMap<>();
        private final Map<List<List<String>>, List<AlarmState>> answers = new HashMap<>();
        long calls;

        BenchAlarms() {
            Instant longAgo = Instant.parse("2026-03-01T08:00:00Z");
            for (String domain : DOMAINS) {
                add(new AlarmState(domain + "-health", State.OK, null, longAgo, true));
                add(new AlarmState(domain + "-5xx-rate", domain.equals("inventory") ? State.ALARM : State.OK,
                        "Threshold Crossed: 3 datapoints were greater than the threshold (5.0)", longAgo, false));
                for (String percentile : List.of("p50", "p90", "p99")) {
                    boolean noData = domain.equals("accounts") && percentile.equals("p99");
                    add(new AlarmState(domain + "-latency-" + percentile, noData ? State.INSUFFICIENT_DATA : State.OK,
                            noData ? "Insufficient Data: 1 datapoint was unknown" : null, longAgo, false));
                }
            }
        }

        private void add(AlarmState state) {
            all.put(state.name(), state);
        }

        @Override
        public List<AlarmState> describe(List<String> names, List<String> prefixes) {
            calls++;
            return answers.computeIfAbsent(List.of(names, prefixes), k -> all.values().stream()
                    .filter(a -> names.contains(a.name()) || prefixes.stream().anyMatch(p -> a.name().startsWith(p)))
                    .sorted(Comparator.comparing(AlarmState::name))
                    .toList());
        }
    }

    /** Every calendar is open, except the notifications team's maintenance calendar, closed for six more hours. */
    private static final class BenchCalendars implements ChangeCalendars {
        private static final CalendarState OPEN = new CalendarState(true, Instant.parse("2026-03-13T17:00:00Z"));
        private static final CalendarState CLOSED = new CalendarState(false, START.plus(Duration.ofHours(6)));
        long calls;

        @Override
        public CalendarState state(String calendar) {
            calls++;
            return calendar.equals("notifications-maintenance") ? CLOSED : OPEN;
        }
    }

    /**
     * Custom checks pass, except that search's asks to come back in ten minutes and shipping's fails one
     * digest in eight.
     */
    private static final class BenchCustomChecks implements CustomChecks {
        private static final CustomAnswer PASS = new CustomAnswer(Verdict.PASS, "change ticket approved", null);
        private static final CustomAnswer WAIT = new CustomAnswer(Verdict.WAIT, "load test still running", Duration.ofMinutes(10));
        private static final CustomAnswer FAIL = new CustomAnswer(Verdict.FAIL, "canary score 0.61 below 0.90", null);
        long calls;

        @Override
        public CustomAnswer ask(GateConfig.CustomCheck check, CustomQuestion question) {
            calls++;
            if (question.gate().equals("search-prod")) {
                return WAIT;
            }
            if (question.gate().equals("shipping-prod") && Math.floorMod(question.digest().hashCode(), 8) == 0) {
                return FAIL;
            }
            return PASS;
        }
    }

    /** The release managers' Slack group: two approvers beyond the three listed by id, making five. */
    private static final class BenchApproverGroups implements ApproverGroups {
        private static final Map<String, Set<String>> MEMBERS = Map.of(APPROVER_GROUP, Set.of("U0APPROVER4", "U0APPROVER5"));
        long calls;

        @Override
        public Map<String, Set<String>> members(Collection<String> groupIds) {
            calls++;
            return MEMBERS;
        }
    }

    /** DynamoDB requests the SDK client made, by operation. */
    private static final class RequestCounter implements ExecutionInterceptor {
        final AtomicLong total = new AtomicLong();
        private final Map<String, AtomicLong> byOperation = new ConcurrentHashMap<>();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            total.incrementAndGet();
            byOperation.computeIfAbsent(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME), op -> new AtomicLong())
                    .incrementAndGet();
        }

        Map<String, Long> snapshot() {
            Map<String, Long> copy = new TreeMap<>();
            byOperation.forEach((op, n) -> copy.put(op, n.get()));
            return copy;
        }
    }

    /**
     * 10 domains of 5 services, staging then prod; each domain's prod behind its own gate with every kind of
     * check, so that the alarms, calendars and custom checks can answer differently per domain.
     */
    static String configYaml() {
        StringBuilder yaml = new StringBuilder();
        yaml.append("""
                version: 1
                slack:
                  defaultChannel: "#releases"
                  failureMention: "@platform-oncall"
                  people:
                    U0APPROVER1: [%s, "Alice Example"]
                    U0APPROVER2: [bob@example.com, "arn:aws:iam::222222222222:user/bob"]
                    U0APPROVER3: [carol@example.com]
                services:
                """.formatted(ALICE_EMAIL));
        for (int s = 0; s < SERVICES; s++) {
            String name = serviceName(s);
            yaml.append("""
                      - name: %1$s
                        repository: %1$s
                        tagPolicy:
                          semver: ">=1.0.0"
                        environments:
                          - name: staging
                            account: "111111111111"
                            region: eu-west-1
                            cluster: staging
                            service: %1$s
                          - name: prod
                            account: "222222222222"
                            region: eu-west-1
                            cluster: prod
                            service: %1$s
                            gate: %2$s-prod
                    """.formatted(name, DOMAINS[s / PARTS.length]));
        }
        yaml.append("gates:\n");
        for (int d = 0; d < DOMAINS.length; d++) {
            String domain = DOMAINS[d];
            String calendar = domain.equals("notifications") ? "notifications-maintenance" : "prod-changes";
            String custom = d % 2 == 0
                    ? "url: https://checks.example.com/gantry/" + domain
                    : "lambda: " + domain + "-release-check";
            yaml.append("""
                      - name: %1$s-prod
                        alarms:
                          names: [%1$s-health, %1$s-5xx-rate]
                          prefixes: ["%1$s-latency-"]
                          insufficientData: wait
                        soak: 30m
                        approvals:
                          required: 2
                          users: [U0APPROVER1, U0APPROVER2, U0APPROVER3]
                          groups: [%2$s]
                          expiresAfter: 24h
                        freezes:
                          - cron: "0 18 * * FRI"
                            duration: 62h
                            timezone: Europe/Berlin
                          - cron: "0 22 * * *"
                            duration: 8h
                            timezone: America/New_York
                          - from: 2026-12-22T00:00:00Z
                            until: 2027-01-04T00:00:00Z
                          - changeCalendar: %3$s
                        custom:
                          - name: %1$s-release-check
                            %4$s
                        timeout: 4h
                    """.formatted(domain, APPROVER_GROUP, calendar, custom));
        }
        return yaml.toString();
    }

    static String serviceName(int index) {
        return DOMAINS[index / PARTS.length] + "-" + PARTS[index % PARTS.length];
    }

    static ImageDigest digest(String seed, int release) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((seed + "/" + release).getBytes(StandardCharsets.UTF_8));
            return new ImageDigest("sha256:" + HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    static int waves(int count) {
        return (count + SERVICES - 1) / SERVICES;
    }

    static long percentileOf(long[] values, double p) {
        if (values.length == 0) {
            return 0;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static void collectGarbage() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
    }

    private static long heapUsed() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static String loadAverage() {
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return load < 0 ? "unknown" : String.format(Locale.ROOT, "%.2f", load);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e3);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / (1024.0 * 1024.0));
    }

    static String percent(long part, long whole) {
        return whole == 0 ? "0%" : String.format(Locale.ROOT, "%.0f%%", 100.0 * part / whole);
    }
}
