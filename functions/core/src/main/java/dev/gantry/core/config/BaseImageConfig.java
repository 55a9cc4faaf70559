package dev.gantry.core.config;

import java.time.ZoneId;
import java.util.List;

/**
 * A base ("golden") image and the images built FROM it.
 *
 * <p>A dependent's {@code produces} repository may itself be the repository of another base image:
 * that is how multi-level chains (base, runtime, app) are declared. Cycles are rejected.
 *
 * @param name unique name of this base image
 * @param repository the ECR repository the base image is pushed to
 * @param tag the tag whose pushes count as a new base; {@code latest} when absent
 * @param dependents what to rebuild when the base changes; at least one
 * @param schedule when the dependents are rebuilt on the base's current digest even though it did not change, so
 *     they pick up their own OS patches; none when absent
 * @param imageBuilderPipelines EC2 Image Builder image pipeline ARNs whose AVAILABLE images are new versions of this
 *     base; none when absent. Each pipeline belongs to one base image
 */
public record BaseImageConfig(String name, String repository, String tag, List<DependentConfig> dependents,
        Schedule schedule, List<String> imageBuilderPipelines) {

    public static final String DEFAULT_TAG = "latest";

    public BaseImageConfig {
        tag = tag == null ? DEFAULT_TAG : tag;
        dependents = dependents == null ? List.of() : List.copyOf(dependents);
        imageBuilderPipelines = imageBuilderPipelines == null ? List.of() : List.copyOf(imageBuilderPipelines);
    }

    public BaseImageConfig(String name, String repository, String tag, List<DependentConfig> dependents) {
        this(name, repository, tag, dependents, null, null);
    }

    /**
     * A recurring rebuild of the dependents.
     *
     * @param cron Unix cron (5 fields) giving each rebuild's time
     * @param timezone zone the cron is read in; UTC when absent
     */
    public record Schedule(String cron, ZoneId timezone) {
        public Schedule {
            timezone = timezone == null ? ZoneId.of("UTC") : timezone;
        }
    }
}
