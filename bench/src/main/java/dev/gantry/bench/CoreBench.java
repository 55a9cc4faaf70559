package dev.gantry.bench;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code scripts/bench core}: {@link DecisionCoreBenchmark} under JMH, one thread, twice: with the JIT the functions
 * run with on Lambda (C1 only, their JAVA_TOOL_OPTIONS), and with the full tiered JIT a long-lived JVM would reach.
 * Prints events per second with JMH's error (99.9% confidence) for the decisions alone, which the target of 50,000 per
 * core applies to, and for the whole push through the deploy service over in-memory ports, beside them.
 *
 * <p>Arguments: {@code short} (default: one fork, 3 warm-up and 5 measured iterations of 1 s) or {@code long} (three
 * forks, 5 warm-up and 10 measured iterations of 2 s).
 */
public final class CoreBench {

    static final double TARGET_EVENTS_PER_SECOND = 50_000;

    private CoreBench() {}

    /** A JIT the benchmark runs under; the target applies to the one the functions are deployed with. */
    private record Jit(String label, List<String> flags, boolean deployed) {}

    /**
     * The JIT's flags, and on JDK 24 and later the one that lets JMH use sun.misc.Unsafe without a warning in the middle
     * of the figures.
     */
    private static String[] forkFlags(Jit jit) {
        List<String> flags = new java.util.ArrayList<>(jit.flags());
        if (Runtime.version().feature() >= 24) {
            flags.add("--sun-misc-unsafe-memory-access=allow");
        }
        return flags.toArray(String[]::new);
    }

    /** A measured operation; the target applies to the decisions alone. */
    private record Operation(String method, String label, boolean targeted) {}

    public static void main(String[] args) throws RunnerException {
        boolean longRun = args.length > 0 && "long".equals(args[0]);
        List<Jit> jits = List.of(
                new Jit("as deployed (C1 only)", List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1"), true),
                new Jit("full tiered JIT (C2) ", List.of(), false));
        List<Operation> operations = List.of(
                new Operation("decisions", "decisions alone: tag policy, deploy plan, gate evaluation", true),
                new Operation("imagePush", "whole push through the deploy service, in-memory ports (not targeted)", false));
        String loadAtStart = BenchSummary.loadAverage();
        StringBuilder summary = new StringBuilder();
        boolean belowTarget = false;
        for (Operation operation : operations) {
            summary.append("  ").append(operation.label()).append(System.lineSeparator());
            for (Jit jit : jits) {
                Options options = new OptionsBuilder()
                        .include(DecisionCoreBenchmark.class.getName() + "." + operation.method() + "$")
                        .forks(longRun ? 3 : 1)
                        .warmupIterations(longRun ? 5 : 3)
                        .measurementIterations(longRun ? 10 : 5)
                        .warmupTime(TimeValue.seconds(longRun ? 2 : 1))
                        .measurementTime(TimeValue.seconds(longRun ? 2 : 1))
                        .threads(1)
                        .jvmArgsAppend(forkFlags(jit))
                        .verbosity(VerboseMode.SILENT)
                        .build();
                Collection<RunResult> results = new Runner(options).run();
                for (RunResult run : results) {
                    Result<?> result = run.getPrimaryResult();
                    boolean judged = operation.targeted() && jit.deployed();
                    boolean passes = result.getScore() >= TARGET_EVENTS_PER_SECOND;
                    belowTarget |= judged && !passes;
                    summary.append(String.format(Locale.ROOT, "    %s  %,12.0f ± %,10.0f events/s   (%.1f µs per event)   %s%n",
                            jit.label(), result.getScore(), result.getScoreError(), 1e6 / result.getScore(),
                            judged ? (passes ? "PASS" : "FAIL") : "-"));
                    BenchSummary.add("decision core, warm, " + operation.method() + ", " + jit.label().strip(),
                            String.format(Locale.ROOT, "%,.0f ± %,.0f events/s", result.getScore(), result.getScoreError()),
                            operation.targeted() ? ">= 50,000 events/s" : "-", judged ? (passes ? "PASS" : "FAIL") : "-");
                }
            }
        }
        System.out.println("decision core, warm: one ECR push (payments-api 1.4.0 against examples/gantry.yml),"
                + " one thread (JMH " + (longRun ? "3 forks, 5+10 iterations of 2 s" : "1 fork, 3+5 iterations of 1 s")
                + ", error at 99.9%):");
        System.out.print(summary);
        System.out.println(String.format(Locale.ROOT, "  target: >= %,.0f events/s per core for the decisions, as deployed%s", TARGET_EVENTS_PER_SECOND,
                belowTarget ? "   (below it)" : ""));
        System.out.println("  java: " + System.getProperty("java.vm.name") + " " + Runtime.version() + "   cores: "
                + Runtime.getRuntime().availableProcessors() + "   load average " + loadAtStart + " at the start, "
                + BenchSummary.loadAverage() + " at the end");
    }
}
