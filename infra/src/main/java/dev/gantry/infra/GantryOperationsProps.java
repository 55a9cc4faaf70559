package dev.gantry.infra;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.IFunction;
import software.amazon.awscdk.services.logs.ILogGroup;
import software.amazon.awscdk.services.sqs.IQueue;

/**
 * What {@link GantryOperations} watches. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: at least one function and the state table. Optional: dead-letter queues, the name prefix (default: the
 * stack's name), and which of the functions handles rebuilds (its log lines then give the rebuilds-in-flight metric,
 * which the dashboard shows beside its invocations).
 *
 * <p>Names are what people read in alarm names, Slack and the dashboard: letters, digits, {@code .}, {@code _} and
 * {@code -}, starting with a letter or digit, at most {@value #MAX_NAME_LENGTH} characters, unique among the functions
 * and among the queues. They become part of alarm names, so changing one replaces its alarms.
 *
 * @throws IllegalArgumentException from the builder, for a malformed or repeated name, no function, or no table
 */
public final class GantryOperationsProps {

    /** Leaves room for the prefix and the longest suffix within CloudWatch's 255-character alarm names. */
    static final int MAX_NAME_LENGTH = 64;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (MAX_NAME_LENGTH - 1) + "}");

    /**
     * A Gantry function to watch.
     *
     * @param name as people call it, e.g. {@code ecs-deploy}
     * @param function the function itself, whose metrics cover every version and alias; an alias watches only itself
     * @param logGroup where it logs, for the metric filters and the dashboard's Logs Insights widgets
     */
    public record WatchedFunction(String name, IFunction function, ILogGroup logGroup) {
        public WatchedFunction {
            requireName(name, "function");
            Objects.requireNonNull(function, "function " + name);
            Objects.requireNonNull(logGroup, "log group of function " + name);
        }
    }

    /** How a dead-letter queue fills, which decides how its messages are read and replayed. */
    public enum DeadLetters {
        /**
         * EventBridge (or SNS) could not deliver to its target, a function or a queue: each message is the event, with the
         * error in its attributes.
         */
        UNDELIVERED_EVENTS,
        /** Lambda's on-failure destination: each message is an invocation record with the event, the error and the function. */
        FAILED_INVOCATIONS,
        /** An SQS queue's redrive target: messages received too often without success, as they were sent. */
        EXHAUSTED_MESSAGES
    }

    /**
     * A queue where Gantry parks what it gave up on: anything in it is an alarm.
     *
     * @param name as people call it, e.g. {@code failed-invocations}
     */
    public record WatchedQueue(String name, IQueue queue, DeadLetters kind) {
        public WatchedQueue {
            requireName(name, "queue");
            Objects.requireNonNull(queue, "queue " + name);
            Objects.requireNonNull(kind, "kind of queue " + name);
        }
    }

    private final String namePrefix;
    private final List<WatchedFunction> functions;
    private final List<WatchedQueue> queues;
    private final ITable stateTable;
    private final String rebuildFunction;

    private GantryOperationsProps(Builder builder) {
        if (builder.functions.isEmpty()) {
            throw new IllegalArgumentException("GantryOperations needs at least one function to watch");
        }
        this.namePrefix = builder.namePrefix;
        this.functions = List.copyOf(builder.functions);
        this.queues = List.copyOf(builder.queues);
        this.stateTable = Objects.requireNonNull(builder.stateTable, "stateTable is required");
        if (builder.rebuildFunction != null && functions.stream().noneMatch(f -> f.name().equals(builder.rebuildFunction))) {
            throw new IllegalArgumentException("rebuildFunction '" + builder.rebuildFunction + "' is none of the watched functions "
                    + functions.stream().map(WatchedFunction::name).toList());
        }
        this.rebuildFunction = builder.rebuildFunction;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** What every alarm and the dashboard are named after; null for the stack's name. */
    public String namePrefix() {
        return namePrefix;
    }

    /** In the order added, which is the order of the dashboard's lines and of the alarms. */
    public List<WatchedFunction> functions() {
        return functions;
    }

    public List<WatchedQueue> queues() {
        return queues;
    }

    public ITable stateTable() {
        return stateTable;
    }

    /** The name of the function that handles rebuilds; null when none is watched. */
    public String rebuildFunction() {
        return rebuildFunction;
    }

    private static void requireName(String name, String what) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a " + what + " name must be 1 to " + MAX_NAME_LENGTH + " letters, digits, '.', '_' or '-', "
                    + "starting with a letter or digit, not '" + name + "'");
        }
    }

    public static final class Builder {
        private String namePrefix;
        private final List<WatchedFunction> functions = new ArrayList<>();
        private final List<WatchedQueue> queues = new ArrayList<>();
        private final Set<String> functionNames = new HashSet<>();
        private final Set<String> queueNames = new HashSet<>();
        private ITable stateTable;
        private String rebuildFunction;

        private Builder() {}

        /**
         * Default: the stack's name ({@code Gantry}), so that two Gantry stacks in one account and region keep apart.
         * The alarms are then named {@code Gantry-<name>-<what>}.
         */
        public Builder namePrefix(String namePrefix) {
            requireName(namePrefix, "prefix");
            this.namePrefix = namePrefix;
            return this;
        }

        /**
         * Watches a function built with a log group of its own, as every Gantry function is; its log group is the one it
         * was given.
         */
        public Builder function(String name, Function function) {
            Objects.requireNonNull(function, "function " + name);
            return function(name, function, function.getLogGroup());
        }

        /** Watches a function that logs to {@code logGroup}. */
        public Builder function(String name, IFunction function, ILogGroup logGroup) {
            WatchedFunction watched = new WatchedFunction(name, function, logGroup);
            if (!functionNames.add(name)) {
                throw new IllegalArgumentException("function '" + name + "' is watched twice");
            }
            functions.add(watched);
            return this;
        }

        public Builder deadLetterQueue(String name, IQueue queue, DeadLetters kind) {
            WatchedQueue watched = new WatchedQueue(name, queue, kind);
            if (!queueNames.add(name)) {
                throw new IllegalArgumentException("queue '" + name + "' is watched twice");
            }
            queues.add(watched);
            return this;
        }

        public Builder stateTable(ITable stateTable) {
            this.stateTable = stateTable;
            return this;
        }

        /** @param name one of the watched functions' names, e.g. {@code image-rebuild} */
        public Builder rebuildFunction(String name) {
            this.rebuildFunction = name;
            return this;
        }

        public GantryOperationsProps build() {
            return new GantryOperationsProps(this);
        }
    }
}
