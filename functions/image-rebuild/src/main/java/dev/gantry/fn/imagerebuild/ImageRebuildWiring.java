package dev.gantry.fn.imagerebuild;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbLineageHistory;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.DynamoDbRevokedBases;
import dev.gantry.aws.EcsClients;
import dev.gantry.aws.PrimingCalls;
import dev.gantry.aws.SdkBuildRunner;
import dev.gantry.aws.SdkEcsGateway;
import dev.gantry.aws.SdkImageBuilderImages;
import dev.gantry.aws.SdkImageLabels;
import dev.gantry.aws.SdkImageRegistry;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.aws.SqsNotifier;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.EcsGateway;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.rebuild.BuildRunner;
import dev.gantry.core.rebuild.ImageBuilderImages;
import dev.gantry.core.rebuild.LineageReportService;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rebuild.RevocationService;
import java.time.Clock;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds the rebuild service from the environment, all at init: {@code GANTRY_CONFIG}, {@code GANTRY_TABLE},
 * {@code GANTRY_REGISTRY_ACCOUNT}, {@code GANTRY_NOTIFY_QUEUE_URL} when rebuilds are told in Slack, and the standard
 * {@code AWS_*} variables. Revocation checks and the lineage history
 * are always on. The same environment builds the lineage report and revocation that {@link ImagesCommand} runs.
 */
final class ImageRebuildWiring {

    /**
     * The account whose ECR registry, in the function's region, holds the base images: where scheduled and Image
     * Builder rebuilds read a base's current digest. Required; Lambda tells a function its region but not its account.
     */
    static final String REGISTRY_ACCOUNT_ENV = "GANTRY_REGISTRY_ACCOUNT";

    private ImageRebuildWiring() {}

    /**
     * What the handler runs on, and how it is primed for a SnapStart snapshot: its events, the state table, ECR where the
     * base images are, and the starts of builds and pipelines and the news sent to the notify queue, rehearsed. Left
     * unprimed: Image Builder, asked only about an image an event names.
     */
    record Wired(RebuildService rebuilds, ImageBuilderImages imageBuilder, Notifier notifier, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        requireBaseImages(config);
        AwsClients aws = new AwsClients(environment);
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        String account = aws.required(REGISTRY_ACCOUNT_ENV);
        CodeBuildClient codeBuild = aws.codeBuild();
        CodePipelineClient codePipeline = aws.codePipeline();
        BuildRunner builds = new SdkBuildRunner(codeBuild, codePipeline);
        DynamoDbClient dynamo = aws.dynamoDb();
        Function<String, EcrClient> ecr = ecrByRegion(config, aws);
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses()
                .steps(ImageRebuildPriming.events())
                .step(PrimingCalls.stateTable(dynamo, table))
                .step(PrimingCalls.stateTableWrites(dynamo, table))
                .step(PrimingCalls.stateTableBatchRead(dynamo, table))
                .step(PrimingCalls.imageRepository(ecr.apply(aws.region().id()), account, config.baseImages().get(0).repository()))
                .step(PrimingCalls.buildStarts(codeBuild, codePipeline));
        Notifier notifier = SqsNotifier.fromEnvironment(aws, priming);
        return new Wired(rebuildService(config, dynamo, table, builds, ecr, account, aws.region().id(), Clock.systemUTC()),
                SdkImageBuilderImages.create(aws), notifier, priming.build());
    }

    /** The service over the given clients: what {@link #fromEnvironment} builds, and what the tests build over loopback ones. */
    static RebuildService rebuildService(GantryConfig config, DynamoDbClient dynamo, String table, BuildRunner builds,
            Function<String, EcrClient> ecrForRegion, String account, String region, Clock clock) {
        requireBaseImages(config);
        return new RebuildService(config, new DynamoDbRebuildLedger(dynamo, table), builds, new SdkImageLabels(ecrForRegion),
                new SdkImageRegistry(ecrForRegion), account, region, clock, new DynamoDbRevokedBases(dynamo, table),
                new DynamoDbDeployControls(dynamo, table), new DynamoDbLineageHistory(dynamo, table));
    }

    /** What {@link ImagesCommand} runs on: the lineage report and revocation, over the handler's adapters and ECS. */
    record ImageOperations(LineageReportService lineage, RevocationService revocations) {}

    static ImageOperations imageOperationsFromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        requireBaseImages(config);
        AwsClients aws = new AwsClients(environment);
        String table = aws.required(DynamoDbReleaseStore.TABLE_ENV);
        String account = aws.required(REGISTRY_ACCOUNT_ENV);
        // One ECS client per region and role the configuration deploys through, as the deploy function reaches them.
        EcsGateway ecs = new SdkEcsGateway(EcsClients.forConfig(config, aws));
        return imageOperations(config, aws.dynamoDb(), table, new SdkBuildRunner(aws.codeBuild(), aws.codePipeline()),
                ecrByRegion(config, aws), ecs, account, aws.region().id(), Clock.systemUTC());
    }

    /**
     * The operations over the given clients: what {@link #imageOperationsFromEnvironment} builds, and what the tests
     * build over loopback ones.
     */
    static ImageOperations imageOperations(GantryConfig config, DynamoDbClient dynamo, String table, BuildRunner builds,
            Function<String, EcrClient> ecrForRegion, EcsGateway ecs, String account, String region, Clock clock) {
        RebuildService rebuilds = rebuildService(config, dynamo, table, builds, ecrForRegion, account, region, clock);
        // The adapters keep no state of their own, so this instance and the rebuild service's see the same revocations.
        DynamoDbRevokedBases revoked = new DynamoDbRevokedBases(dynamo, table);
        LineageReportService lineage = new LineageReportService(config, new DynamoDbLineageHistory(dynamo, table), revoked,
                new SdkImageRegistry(ecrForRegion), account, region, ecs);
        RevocationService revocations = new RevocationService(config, new DynamoDbRebuildLedger(dynamo, table), revoked,
                new DynamoDbDeployControls(dynamo, table), ecs, rebuilds, clock);
        return new ImageOperations(lineage, revocations);
    }

    static void requireBaseImages(GantryConfig config) {
        if (config.baseImages().isEmpty()) {
            throw new IllegalStateException("the configuration declares no baseImages: the image-rebuild function has nothing to "
                    + "rebuild; add a baseImages entry or do not deploy this function");
        }
    }

    /**
     * ECR in the function's region (the base images) and in every region the configuration deploys to (where rebuilt
     * children may be pushed), built now rather than on first use.
     */
    private static Function<String, EcrClient> ecrByRegion(GantryConfig config, AwsClients aws) {
        Map<String, EcrClient> clients = new TreeMap<>();
        clients.put(aws.region().id(), aws.ecr(aws.region()));
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig environment : service.environments()) {
                clients.computeIfAbsent(environment.region(), region -> aws.ecr(Region.of(region)));
            }
        }
        return region -> {
            EcrClient client = clients.get(region);
            if (client == null) {
                throw new IllegalArgumentException("no ECR client for region " + region + ": Gantry reads images only in "
                        + String.join(", ", clients.keySet()));
            }
            return client;
        };
    }
}
