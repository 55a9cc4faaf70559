package dev.gantry.aws;

import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.gate.ServiceRevisions;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.ecs.model.DescribeServiceRevisionsResponse;
import software.amazon.awssdk.services.ecs.model.Failure;
import software.amazon.awssdk.services.ecs.model.ServiceRevision;

/**
 * {@link ServiceRevisions} over ECS DescribeServiceRevisions. The revision's ARN names its account, region, cluster and
 * service, so the revision is read with the client that reaches that service, which may be in another account.
 */
public final class SdkServiceRevisions implements ServiceRevisions {

    private final Function<EcsServiceRef, EcsClient> clientFor;

    /**
     * @param clientFor the client that reaches a service (its region, and its account's credentials), such as
     *     {@link EcsClients#forTarget}; called per request, so it should cache
     */
    public SdkServiceRevisions(Function<EcsServiceRef, EcsClient> clientFor) {
        this.clientFor = clientFor;
    }

    /** One client for every service: tests, and deployments in a single region and account. */
    public SdkServiceRevisions(EcsClient client) {
        this(service -> client);
    }

    @Override
    public Revision describe(String serviceRevisionArn) {
        EcsServiceRef service = serviceOf(serviceRevisionArn);
        EcsClient ecs;
        try {
            ecs = clientFor.apply(service);
        } catch (IllegalStateException e) {
            // EcsClients reaches only configured services; a hook for any other is not Gantry's to answer.
            throw new ServiceRevisionsException("ECS service revision " + serviceRevisionArn + " cannot be read: " + e.getMessage(), e);
        }
        DescribeServiceRevisionsResponse response;
        try {
            response = ecs.describeServiceRevisions(r -> r.serviceRevisionArns(serviceRevisionArn));
        } catch (AwsServiceException e) {
            throw new ServiceRevisionsException("ECS DescribeServiceRevisions for " + serviceRevisionArn + " was refused: "
                    + e.awsErrorDetails().errorCode() + ": " + e.awsErrorDetails().errorMessage(), e);
        } catch (SdkException e) {
            throw new ServiceRevisionsException("ECS DescribeServiceRevisions for " + serviceRevisionArn + " failed: " + e.getMessage(), e);
        }
        ServiceRevision revision = response.serviceRevisions().stream()
                .filter(r -> serviceRevisionArn.equals(r.serviceRevisionArn()))
                .findFirst()
                .orElseThrow(() -> new ServiceRevisionsException("ECS service revision " + serviceRevisionArn + " not found ("
                        + reason(response.failures()) + ")", null));
        return new Revision(revision.serviceRevisionArn(), revision.serviceArn(), revision.containerImages().stream()
                .map(image -> new ContainerImage(image.containerName(), image.image(), image.imageDigest()))
                .toList());
    }

    private static String reason(List<Failure> failures) {
        return failures.stream()
                .findFirst()
                .map(f -> f.detail() == null || f.detail().isBlank() ? f.reason() : f.reason() + ": " + f.detail())
                .orElse("ECS returned neither the revision nor a failure");
    }

    /** {@code arn:<partition>:ecs:<region>:<account>:service-revision/<cluster>/<service>/<id>} */
    private static EcsServiceRef serviceOf(String serviceRevisionArn) {
        String[] parts = serviceRevisionArn == null ? new String[0] : serviceRevisionArn.split(":", 6);
        String[] resource = parts.length == 6 ? parts[5].split("/") : new String[0];
        if (parts.length != 6 || !"arn".equals(parts[0]) || !"ecs".equals(parts[2]) || resource.length != 4
                || !"service-revision".equals(resource[0])) {
            throw new ServiceRevisionsException(serviceRevisionArn + " is not an ECS service revision ARN", null);
        }
        return new EcsServiceRef(parts[4], parts[3], resource[1], resource[2]);
    }
}
