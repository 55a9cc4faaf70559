package dev.gantry.core.config;

/**
 * How Gantry rebuilds dependent images, for all base images together.
 *
 * <p>One limit for the whole file rather than one per base image: what it protects is the account's CodeBuild
 * concurrent-build quota (60 by default), which every base image's rebuilds share, and the waves of a chain overlap
 * (a runtime image's dependents start while the golden image's other dependents still build).
 *
 * @param maxConcurrentBuilds how many rebuilds may be starting or running at once; {@value #DEFAULT_MAX_CONCURRENT_BUILDS}
 *     when absent, {@value #MIN_CONCURRENT_BUILDS} to {@value #MAX_CONCURRENT_BUILDS}
 */
public record RebuildsConfig(Integer maxConcurrentBuilds) {

    public static final int DEFAULT_MAX_CONCURRENT_BUILDS = 10;
    public static final int MIN_CONCURRENT_BUILDS = 1;
    /** CodeBuild's default account quota of concurrent builds; more could only queue inside CodeBuild. */
    public static final int MAX_CONCURRENT_BUILDS = 60;

    public static final RebuildsConfig DEFAULTS = new RebuildsConfig(null);

    public RebuildsConfig {
        maxConcurrentBuilds = maxConcurrentBuilds == null ? DEFAULT_MAX_CONCURRENT_BUILDS : maxConcurrentBuilds;
    }
}
