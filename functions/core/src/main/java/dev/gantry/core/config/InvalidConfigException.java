package dev.gantry.core.config;

import java.util.List;
import java.util.stream.Collectors;

/** A configuration file that Gantry refuses, with every problem found in it. */
public final class InvalidConfigException extends RuntimeException {

    private final String source;
    private final transient List<ConfigProblem> problems;

    public InvalidConfigException(String source, List<ConfigProblem> problems) {
        super(render(source, problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public String source() {
        return source;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String render(String source, List<ConfigProblem> problems) {
        String header = problems.size() == 1
                ? source + " is invalid:"
                : source + " is invalid (" + problems.size() + " problems):";
        return problems.stream().map(p -> "  " + p.describe(source)).collect(Collectors.joining("\n", header + "\n", ""));
    }
}
