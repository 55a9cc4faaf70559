package dev.gantry.aws;

import dev.gantry.core.rebuild.ImageBuilderImage;
import dev.gantry.core.rebuild.ImageBuilderImages;
import java.util.List;
import java.util.Objects;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.imagebuilder.ImagebuilderClient;
import software.amazon.awssdk.services.imagebuilder.model.Container;
import software.amazon.awssdk.services.imagebuilder.model.GetImageResponse;
import software.amazon.awssdk.services.imagebuilder.model.Image;
import software.amazon.awssdk.services.imagebuilder.model.ResourceNotFoundException;

/**
 * {@link ImageBuilderImages} over EC2 Image Builder's {@code GetImage}. The Image Builder SDK module is an optional
 * dependency of this module (about 2.9 MB): only the image-rebuild function declares it, so no other function's
 * package carries it.
 */
public final class SdkImageBuilderImages implements ImageBuilderImages {

    private final ImagebuilderClient client;

    public SdkImageBuilderImages(ImagebuilderClient client) {
        this.client = Objects.requireNonNull(client, "client");
    }

    /** Image Builder in the function's region, over the shared HTTP client: the region its events come from. */
    public static SdkImageBuilderImages create(AwsClients aws) {
        return new SdkImageBuilderImages(ImagebuilderClient.builder()
                .httpClient(aws.httpClient())
                .credentialsProvider(aws.credentials())
                .region(aws.region())
                .build());
    }

    @Override
    public ImageBuilderImage complete(ImageBuilderImage image) {
        if (image.pipelineArn() != null && !image.imageUris().isEmpty()) {
            return image;
        }
        GetImageResponse response;
        try {
            response = client.getImage(r -> r.imageBuildVersionArn(image.imageArn()));
        } catch (ResourceNotFoundException e) {
            // Deleted since the event: nothing says which pipeline built it, and the service reports it as built by none.
            return image;
        } catch (SdkException e) {
            throw new ImageBuilderException("GetImage " + image.imageArn() + " failed: " + e.getMessage(), e);
        }
        Image described = response.image();
        if (described == null) {
            return image;
        }
        List<String> uris = described.outputResources() == null || !described.outputResources().hasContainers()
                ? List.of()
                : described.outputResources().containers().stream()
                        .filter(Container::hasImageUris)
                        .flatMap(c -> c.imageUris().stream())
                        .toList();
        return image.completedWith(described.sourcePipelineArn(), uris);
    }
}
