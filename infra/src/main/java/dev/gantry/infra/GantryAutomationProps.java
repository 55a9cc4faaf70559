package dev.gantry.infra;

import dev.gantry.core.config.GantryConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What {@link GantryAutomation} is built from. Immutable; build one with {@link #builder()}.
 *
 * <p>Required: {@code config} and {@code configFile}, and the function jar of each automation the configuration asks
 * for: {@code ecsDeployJar} when it declares services, {@code releaseGateJar} when an environment names a gate,
 * {@code imageRebuildJar} when it declares base images, {@code chatOpsJar} (chatops-worker and chatops-notify) and
 * {@code slackInteractionsJar} (slack-interactions, in a package of its own) with ChatOps. A jar that is not needed is
 * never read. {@link Builder#build()} names whatever is missing.
 *
 * <p>Optional:
 * <ul>
 *   <li>{@code slackBotTokenSecretArn}: the Secrets Manager secret holding the Slack bot token. Alone, it lets gates count
 *       approvers by Slack user group;</li>
 *   <li>{@code slackSigningSecretArn}: the secret holding the Slack app's signing secret. Given, it turns ChatOps on,
 *       which needs the configuration's {@code slack} section and the bot token's secret as well;</li>
 *   <li>{@code releasePipelines}: the services that get an {@link EcsReleasePipeline}; none by default. Their source is a
 *       versioned bucket the automation creates ({@code <service>/source.zip}), or, with {@code sourceConnectionArn},
 *       GitHub through a CodeStar connection: then every such service needs its {@code owner/name} in
 *       {@code sourceRepositories}, and {@code sourceBranch} (default {@value #DEFAULT_BRANCH}) is released;</li>
 *   <li>{@code goldenImagePipelines}: the base images that get a {@link GoldenImagePipeline}; none by default. Their source
 *       is the same as the release pipelines': {@code <base image>/source.zip} in the automation's bucket, or the base's
 *       {@code owner/name} in {@code sourceRepositories}.</li>
 * </ul>
 * Only ARNs of secrets are taken: the functions read the values at run time, so none enters the template.
 */
public final class GantryAutomationProps {

    public static final String DEFAULT_BRANCH = "main";

    private final GantryConfig config;
    private final Path configFile;
    private final Path ecsDeployJar;
    private final Path releaseGateJar;
    private final Path imageRebuildJar;
    private final Path chatOpsJar;
    private final Path slackInteractionsJar;
    private final String slackBotTokenSecretArn;
    private final String slackSigningSecretArn;
    private final List<String> releasePipelines;
    private final List<String> goldenImagePipelines;
    private final String sourceConnectionArn;
    private final Map<String, String> sourceRepositories;
    private final String sourceBranch;

    private GantryAutomationProps(Builder builder) {
        this.config = Objects.requireNonNull(builder.config, "config is required");
        this.configFile = Objects.requireNonNull(builder.configFile, "configFile is required");
        this.ecsDeployJar = builder.ecsDeployJar;
        this.releaseGateJar = builder.releaseGateJar;
        this.imageRebuildJar = builder.imageRebuildJar;
        this.chatOpsJar = builder.chatOpsJar;
        this.slackInteractionsJar = builder.slackInteractionsJar;
        this.slackBotTokenSecretArn = builder.slackBotTokenSecretArn;
        this.slackSigningSecretArn = builder.slackSigningSecretArn;
        this.releasePipelines = List.copyOf(builder.releasePipelines);
        this.goldenImagePipelines = List.copyOf(builder.goldenImagePipelines);
        this.sourceConnectionArn = builder.sourceConnectionArn;
        this.sourceRepositories = new LinkedHashMap<>(builder.sourceRepositories);
        this.sourceBranch = builder.sourceBranch;
        requireWhatTheConfigurationAsksFor();
    }

    public static Builder builder() {
        return new Builder();
    }

    private void requireWhatTheConfigurationAsksFor() {
        if (!config.services().isEmpty()) {
            Objects.requireNonNull(ecsDeployJar, "ecsDeployJar is required: the configuration declares services");
        }
        if (ReleaseGates.anyGatedEnvironment(config)) {
            Objects.requireNonNull(releaseGateJar, "releaseGateJar is required: an environment names a gate");
        }
        if (!config.baseImages().isEmpty()) {
            Objects.requireNonNull(imageRebuildJar, "imageRebuildJar is required: the configuration declares base images");
        }
        for (String arn : new String[] {slackBotTokenSecretArn, slackSigningSecretArn}) {
            if (arn != null && !ChatOpsProps.isSecretArn(arn)) {
                // The value is not repeated: someone may have pasted the secret itself.
                throw new IllegalArgumentException("a Slack secret must be given as the ARN of a Secrets Manager secret, never its "
                        + "value; the value given is not such an ARN");
            }
        }
        if (slackSigningSecretArn != null) {
            // Half a ChatOps would be a public endpoint that can answer nobody: refuse it rather than build it.
            if (config.slack() == null) {
                throw new IllegalArgumentException("ChatOps (slackSigningSecretArn) needs the configuration's 'slack' section");
            }
            if (slackBotTokenSecretArn == null) {
                throw new IllegalArgumentException("ChatOps needs slackBotTokenSecretArn beside slackSigningSecretArn: without it "
                        + "Gantry can answer in Slack but never post there");
            }
            Objects.requireNonNull(chatOpsJar, "chatOpsJar is required with slackSigningSecretArn");
            Objects.requireNonNull(slackInteractionsJar, "slackInteractionsJar is required with slackSigningSecretArn");
        }
        if (releasePipelines.stream().distinct().count() != releasePipelines.size()) {
            throw new IllegalArgumentException("releasePipelines names a service twice: " + String.join(",", releasePipelines));
        }
        if (sourceConnectionArn == null && !sourceRepositories.isEmpty()) {
            throw new IllegalArgumentException("sourceRepositories needs sourceConnectionArn, the connection to GitHub they are read through");
        }
        if (goldenImagePipelines.stream().distinct().count() != goldenImagePipelines.size()) {
            throw new IllegalArgumentException("goldenImagePipelines names a base image twice: " + String.join(",", goldenImagePipelines));
        }
        if (sourceConnectionArn != null) {
            List<String> without = Stream.concat(releasePipelines.stream(), goldenImagePipelines.stream())
                    .filter(s -> !sourceRepositories.containsKey(s)).toList();
            if (!without.isEmpty()) {
                throw new IllegalArgumentException("with sourceConnectionArn, every pipeline needs its GitHub repository in "
                        + "sourceRepositories; missing for: " + String.join(", ", without));
            }
        }
        for (String service : releasePipelines) {
            EcsReleasePipeline.requireReleasable(config, service);
        }
        for (String baseImage : goldenImagePipelines) {
            GoldenImagePipeline.requireBuildable(config, baseImage);
        }
    }

    public GantryConfig config() {
        return config;
    }

    public Path configFile() {
        return configFile;
    }

    public Path ecsDeployJar() {
        return ecsDeployJar;
    }

    public Path releaseGateJar() {
        return releaseGateJar;
    }

    public Path imageRebuildJar() {
        return imageRebuildJar;
    }

    public Path chatOpsJar() {
        return chatOpsJar;
    }

    public Path slackInteractionsJar() {
        return slackInteractionsJar;
    }

    /** Null when none was given. */
    public String slackBotTokenSecretArn() {
        return slackBotTokenSecretArn;
    }

    /** Null when none was given, and then there is no ChatOps. */
    public String slackSigningSecretArn() {
        return slackSigningSecretArn;
    }

    /** Whether the automation holds ChatOps: the signing secret's ARN is given (the builder checked the rest). */
    public boolean chatOps() {
        return slackSigningSecretArn != null;
    }

    public List<String> releasePipelines() {
        return releasePipelines;
    }

    public List<String> goldenImagePipelines() {
        return goldenImagePipelines;
    }

    /** Null for the automation's own source bucket. */
    public String sourceConnectionArn() {
        return sourceConnectionArn;
    }

    public Map<String, String> sourceRepositories() {
        return Map.copyOf(sourceRepositories);
    }

    public String sourceBranch() {
        return sourceBranch;
    }

    public static final class Builder {
        private GantryConfig config;
        private Path configFile;
        private Path ecsDeployJar;
        private Path releaseGateJar;
        private Path imageRebuildJar;
        private Path chatOpsJar;
        private Path slackInteractionsJar;
        private String slackBotTokenSecretArn;
        private String slackSigningSecretArn;
        private List<String> releasePipelines = new ArrayList<>();
        private List<String> goldenImagePipelines = new ArrayList<>();
        private String sourceConnectionArn;
        private Map<String, String> sourceRepositories = new LinkedHashMap<>();
        private String sourceBranch = DEFAULT_BRANCH;

        private Builder() {}

        public Builder config(GantryConfig config) {
            this.config = config;
            return this;
        }

        public Builder configFile(Path configFile) {
            this.configFile = configFile;
            return this;
        }

        public Builder ecsDeployJar(Path ecsDeployJar) {
            this.ecsDeployJar = ecsDeployJar;
            return this;
        }

        public Builder releaseGateJar(Path releaseGateJar) {
            this.releaseGateJar = releaseGateJar;
            return this;
        }

        public Builder imageRebuildJar(Path imageRebuildJar) {
            this.imageRebuildJar = imageRebuildJar;
            return this;
        }

        public Builder chatOpsJar(Path chatOpsJar) {
            this.chatOpsJar = chatOpsJar;
            return this;
        }

        public Builder slackInteractionsJar(Path slackInteractionsJar) {
            this.slackInteractionsJar = slackInteractionsJar;
            return this;
        }

        public Builder slackBotTokenSecretArn(String slackBotTokenSecretArn) {
            this.slackBotTokenSecretArn = slackBotTokenSecretArn;
            return this;
        }

        public Builder slackSigningSecretArn(String slackSigningSecretArn) {
            this.slackSigningSecretArn = slackSigningSecretArn;
            return this;
        }

        /** The services that get a release pipeline, in this order. */
        public Builder releasePipelines(List<String> services) {
            this.releasePipelines = new ArrayList<>(Objects.requireNonNull(services, "releasePipelines"));
            return this;
        }

        /** The base images that get a golden-image pipeline, in this order. */
        public Builder goldenImagePipelines(List<String> baseImages) {
            this.goldenImagePipelines = new ArrayList<>(Objects.requireNonNull(baseImages, "goldenImagePipelines"));
            return this;
        }

        public Builder sourceConnectionArn(String sourceConnectionArn) {
            this.sourceConnectionArn = sourceConnectionArn;
            return this;
        }

        /** Each pipeline's GitHub repository, {@code service or base image -> owner/name}, with {@code sourceConnectionArn}. */
        public Builder sourceRepositories(Map<String, String> sourceRepositories) {
            this.sourceRepositories = new LinkedHashMap<>(Objects.requireNonNull(sourceRepositories, "sourceRepositories"));
            return this;
        }

        public Builder sourceBranch(String sourceBranch) {
            this.sourceBranch = Objects.requireNonNull(sourceBranch, "sourceBranch");
            return this;
        }

        /**
         * @throws NullPointerException naming a required value that is missing
         * @throws IllegalArgumentException when the Slack or release-pipeline settings ask for something that cannot be built
         */
        public GantryAutomationProps build() {
            return new GantryAutomationProps(this);
        }
    }
}
