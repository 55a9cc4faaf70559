package dev.gantry.cdk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Which services get an {@link dev.gantry.infra.EcsReleasePipeline}, and where their source comes from, as the CDK
 * context gives it ({@link GantryApp} lists the keys).
 *
 * @param services the services, in the order given; empty for none (the default)
 * @param connectionArn the CodeStar connection to GitHub; null for the S3 source bucket the stack creates
 * @param repositories for a GitHub source, each service's {@code owner/name}
 * @param branch for a GitHub source, the branch released; default {@value #DEFAULT_BRANCH}
 */
public record ReleasePipelineSettings(List<String> services, String connectionArn, Map<String, String> repositories, String branch) {

    public static final String SERVICES_CONTEXT = "releasePipelines";
    public static final String CONNECTION_CONTEXT = "sourceConnectionArn";
    public static final String REPOSITORIES_CONTEXT = "sourceRepositories";
    public static final String BRANCH_CONTEXT = "sourceBranch";
    public static final String DEFAULT_BRANCH = "main";

    /** No pipelines: the stack is what it is without them. */
    public static final ReleasePipelineSettings NONE = new ReleasePipelineSettings(List.of(), null, Map.of(), DEFAULT_BRANCH);

    public ReleasePipelineSettings {
        services = List.copyOf(services);
        repositories = Map.copyOf(repositories);
    }

    /**
     * Reads the context through {@code context} (a key to its value, or null).
     *
     * @throws InvalidContextException when a service is named twice, a GitHub source lacks a service's repository, a
     *     repository entry is not {@code service=owner/name}, or repositories are given without a connection
     */
    static ReleasePipelineSettings fromContext(Function<String, String> context) {
        List<String> services = commaSeparated(context.apply(SERVICES_CONTEXT));
        if (services.stream().distinct().count() != services.size()) {
            throw new InvalidContextException("-c " + SERVICES_CONTEXT + " names a service twice: " + String.join(",", services));
        }
        String connectionArn = blankToNull(context.apply(CONNECTION_CONTEXT));
        Map<String, String> repositories = new LinkedHashMap<>();
        for (String entry : commaSeparated(context.apply(REPOSITORIES_CONTEXT))) {
            int equals = entry.indexOf('=');
            if (equals <= 0 || equals == entry.length() - 1) {
                throw new InvalidContextException("-c " + REPOSITORIES_CONTEXT + " takes service=owner/name entries, comma-separated; '"
                        + entry + "' is not one");
            }
            repositories.put(entry.substring(0, equals).strip(), entry.substring(equals + 1).strip());
        }
        if (connectionArn == null && !repositories.isEmpty()) {
            throw new InvalidContextException("-c " + REPOSITORIES_CONTEXT + " needs -c " + CONNECTION_CONTEXT
                    + "=<arn>, the connection to GitHub those repositories are read through");
        }
        if (connectionArn != null) {
            List<String> without = services.stream().filter(s -> !repositories.containsKey(s)).toList();
            if (!without.isEmpty()) {
                throw new InvalidContextException("with -c " + CONNECTION_CONTEXT + ", every release pipeline needs its GitHub repository in -c "
                        + REPOSITORIES_CONTEXT + "=service=owner/name,...; missing for: " + String.join(", ", without));
            }
        }
        String branch = blankToNull(context.apply(BRANCH_CONTEXT));
        return new ReleasePipelineSettings(services, connectionArn, repositories, branch == null ? DEFAULT_BRANCH : branch);
    }

    /** True when sources are GitHub repositories, false for the stack's S3 source bucket. */
    public boolean connectionSource() {
        return connectionArn != null;
    }

    private static List<String> commaSeparated(String value) {
        List<String> items = new ArrayList<>();
        if (value == null) {
            return items;
        }
        for (String item : value.split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return items;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The context asks for something the stack cannot build. */
    static final class InvalidContextException extends RuntimeException {
        InvalidContextException(String message) {
            super(message);
        }
    }
}
