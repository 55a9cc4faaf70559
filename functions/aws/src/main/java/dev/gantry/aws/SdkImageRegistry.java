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
import software.amazon.awssdk.services.ecr.model.ImageDetail;
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

    /** One client for every region: tests, and deployments that use a single region. */
    public SdkImageRegistry(EcrClient client) {
        this(region -> client);
    }

    /**
     * One {@code DescribeImages} call, by digest or by tag: it answers the digest and {@code imagePushedAt} together,
     * where {@code BatchGetImage} would answer no push time.
     */
    @Override
    public PinnedImage pin(ImageReference image) {
        if (image.digest() == null && image.tag() == null) {
            throw new IllegalArgumentException("image " + image + " has neither a digest nor a tag to look up");
        }
        String account = image.ecrAccount()
                .orElseThrow(() -> new IllegalArgumentException("image " + image + " is not in an Amazon ECR registry"));
        String region = image.ecrRegion().orElseThrow();
        String where = "ECR repository " + image.repository() + " (" + account + ", " + region + ")";
        boolean byDigest = image.digest() != null;
        String wanted = byDigest ? image.digest() : "tagged '" + image.tag() + "'";
        String asked = image.repository() + (byDigest ? "@" + image.digest() : ":" + image.tag());
        ImageIdentifier id = byDigest
                ? ImageIdentifier.builder().imageDigest(image.digest()).build()
                : ImageIdentifier.builder().imageTag(image.tag()).build();
        DescribeImagesResponse response;
        try {
            response = clientForRegion.apply(region).describeImages(r -> r
                    .registryId(account)
                    .repositoryName(image.repository())
                    .imageIds(id));
        } catch (software.amazon.awssdk.services.ecr.model.ImageNotFoundException e) {
            throw new ImageNotFoundException("no image " + wanted + " in " + where, e);
        } catch (RepositoryNotFoundException e) {
            throw new ImageNotFoundException(where + " does not exist, so it has no image " + wanted, e);
        } catch (AwsServiceException e) {
            String message = "DescribeImages of " + asked + " in " + where + " was refused: " + e.awsErrorDetails().errorCode()
                    + " (HTTP " + e.statusCode() + ")";
            throw "AccessDeniedException".equals(e.awsErrorDetails().errorCode())
                    ? new ImageAccessDeniedException(message, e)
                    : new ImageRegistryException(message, e);
        } catch (SdkException e) {
            throw new ImageRegistryException("DescribeImages of " + asked + " in " + where + " failed: " + e.getMessage(), e);
        }
        if (!response.hasImageDetails() || response.imageDetails().isEmpty()) {
            throw new ImageNotFoundException("no image " + wanted + " in " + where, null);
        }
        ImageDetail detail = response.imageDetails().get(0);
        try {
            return new PinnedImage(ImageDigest.parse(detail.imageDigest()), detail.imagePushedAt());
        } catch (ImageDigest.InvalidDigestException e) {
            throw new ImageRegistryException("ECR answered " + asked + " with " + e.getMessage(), e);
        }
    }
}
