package dev.gantry.aws;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecr.model.DescribeImagesResponse;
import software.amazon.awssdk.services.ecr.model.ImageIdentifier;
import software.amazon.awssdk.services.ecr.model.RepositoryNotFoundException;

/**
 * {@link ImageRegistry} over Amazon ECR's {@code DescribeImages}, in the registry (account) and region the
 * image reference names, with one client per region.
 */
public final class SdkImageRegistry implements ImageRegistry {

    private final Function<String, EcrClient> clientForRegion;

    /** @param clientForRegion the client for a region; called for every lookup, so it should cache */
    public SdkImageRegistry(Function<String, EcrClient> clientForRegion) {
        this.clientForRegion = clientForRegion;
    }

    /** One client for every region: tests, and deployments that use a single region. */
    /**
     * A registry over ECR in the region Gantry runs in and every region the configuration deploys to: where the
     * images a pipeline hands over live. The clients are built now rather than on first use.
     */
    public static SdkImageRegistry forConfig(GantryConfig config, AwsClients aws) {
        return forConfig(config, aws, null);
    }

    /** As {@link #forConfig(GantryConfig, AwsClients)}, with a rehearsed lookup through each client added to {@code priming}. */
    public static SdkImageRegistry forConfig(GantryConfig config, AwsClients aws, SnapStartPriming.Builder priming) {
        Map<String, EcrClient> ecrByRegion = new TreeMap<>();
        ecrByRegion.put(aws.region().id(), aws.ecr(aws.region()));
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                ecrByRegion.computeIfAbsent(env.region(), region -> aws.ecr(Region.of(region)));
            }
        }
        if (priming != null) {
            ecrByRegion.forEach((region, client) -> priming.step(PrimingCalls.imageTag(client, region)));
        }
        return new SdkImageRegistry(region -> {
            EcrClient client = ecrByRegion.get(region);
            if (client == null) {
                throw new IllegalArgumentException("no ECR client for region " + region + ": Gantry reads images only in "
                        + String.join(", ", ecrByRegion.keySet()));
            }
            return client;
        });
    }

    public SdkImageRegistry(EcrClient client) {
        this(region -> client);
    }

    @Override
    public ImageDigest digestOf(ImageReference image) {
        if (image.tag() == null) {
            throw new IllegalArgumentException("image " + image + " has no tag to look up");
        }
        String account = image.ecrAccount()
                .orElseThrow(() -> new IllegalArgumentException("image " + image + " is not in an Amazon ECR registry"));
        String region = image.ecrRegion().orElseThrow();
        String where = "ECR repository " + image.repository() + " (" + account + ", " + region + ")";
        DescribeImagesResponse response;
        try {
            response = clientForRegion.apply(region).describeImages(r -> r
                    .registryId(account)
                    .repositoryName(image.repository())
                    .imageIds(ImageIdentifier.builder().imageTag(image.tag()).build()));
        } catch (software.amazon.awssdk.services.ecr.model.ImageNotFoundException e) {
            throw new ImageNotFoundException("no image tagged '" + image.tag() + "' in " + where, e);
        } catch (RepositoryNotFoundException e) {
            throw new ImageNotFoundException(where + " does not exist, so it has no image tagged '" + image.tag() + "'", e);
        } catch (AwsServiceException e) {
            throw new ImageRegistryException("DescribeImages of " + image.repository() + ":" + image.tag() + " in " + where
                    + " was refused: " + e.awsErrorDetails().errorCode() + " (HTTP " + e.statusCode() + ")", e);
        } catch (SdkException e) {
            throw new ImageRegistryException("DescribeImages of " + image.repository() + ":" + image.tag() + " in " + where
                    + " failed: " + e.getMessage(), e);
        }
        if (!response.hasImageDetails() || response.imageDetails().isEmpty()) {
            throw new ImageNotFoundException("no image tagged '" + image.tag() + "' in " + where, null);
        }
        String digest = response.imageDetails().get(0).imageDigest();
        try {
            return ImageDigest.parse(digest);
        } catch (ImageDigest.InvalidDigestException e) {
            throw new ImageRegistryException("ECR answered " + image.repository() + ":" + image.tag() + " with " + e.getMessage(), e);
        }
    }
}
