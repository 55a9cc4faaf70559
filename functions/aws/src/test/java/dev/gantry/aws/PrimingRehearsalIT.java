package dev.gantry.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/**
 * Rehearsed writes against the loopback: the SDK takes each as far as a signed request, and none reaches the wire, with
 * clients built exactly as the functions build them.
 */
class PrimingRehearsalIT {

    @RegisterExtension
    static final PrimingLoopback aws = new PrimingLoopback();

    @Test
    void rehearsesTheDeployWritesOfEveryEcsClientWithoutSendingOne() throws Exception {
        // given
        aws.answering();
        Map<String, String> environment = aws.environment();
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        EcsClients ecsClients = EcsClients.forConfig(config, new AwsClients(environment));
        List<SnapStartPriming.Step> steps = PrimingCalls.ecsDeployWrites(config, ecsClients);

        // when
        for (SnapStartPriming.Step step : steps) {
            step.action().run();
        }

        // then: every client the deploy uses was rehearsed, and AWS saw none of it (assuming a role is a read, and real)
        assertThat(steps).isNotEmpty().allSatisfy(step -> assertThat(step.name()).endsWith(PrimingCalls.REHEARSED));
        assertThat(aws.operations()).allMatch(operation -> operation.equals("STS AssumeRole"));
    }

    @Test
    void rehearsesTheStateTableWritesWithoutSendingOneAndChangesNoItem() throws Exception {
        // given
        aws.answering();
        DynamoDbClient dynamo = new AwsClients(aws.environment()).dynamoDb();

        // when
        PrimingCalls.stateTableWrites(dynamo, PrimingLoopback.TABLE).action().run();

        // then
        assertThat(aws.operations()).isEmpty();
        assertThat(aws.stateTableItems()).isZero();
    }

    @Test
    void rehearsesPipelineJobResultsBuildStartsArtifactReadsAndImageLookupsWithoutSendingOne() throws Exception {
        // given: the clients as the pipeline and rebuild functions build them
        aws.answering();
        Map<String, String> environment = aws.environment();
        AwsClients clients = new AwsClients(environment);
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        List<SnapStartPriming.Step> steps = List.of(
                PrimingCalls.pipelineJobResults(clients.codePipeline()),
                PrimingCalls.buildStarts(clients.codeBuild(), clients.codePipeline()),
                PrimingCalls.artifactRead(clients.artifactReader()),
                PrimingCalls.stateTableBatchRead(clients.dynamoDb(), PrimingLoopback.TABLE));
        SnapStartPriming.Builder priming = SnapStartPriming.builder().steps(steps);
        SdkImageRegistry.forConfig(config, clients, priming);

        // when
        List<SnapStartPriming.Outcome> outcomes = priming.build().prime();

        // then: each step ended stopped before sending (a step whose call was answered, or that failed otherwise, is not
        // primed), one image lookup per region the configuration reaches, and AWS saw none of it
        assertThat(outcomes).hasSizeGreaterThan(steps.size()).allSatisfy(outcome -> {
            assertThat(outcome.primed()).as(outcome.step() + ": " + outcome.failure()).isTrue();
            assertThat(outcome.step()).endsWith(PrimingCalls.REHEARSED);
        });
        assertThat(outcomes).extracting(SnapStartPriming.Outcome::step).anyMatch(step -> step.startsWith("ECR DescribeImages of a tag in eu-west-1"));
        assertThat(aws.operations()).isEmpty();
    }

    @Test
    void signsEachRehearsedRequestBeforeStoppingIt() throws Exception {
        // given: a client that also watches the requests it is about to send
        aws.answering();
        List<SdkHttpRequest> signed = new ArrayList<>();
        ExecutionInterceptor watcher = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                signed.add(context.httpRequest());
            }
        };
        DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(System.getProperty("aws.endpointUrlDynamoDb")))
                .region(Region.EU_WEST_1)
                .overrideConfiguration(c -> c.addExecutionInterceptor(watcher))
                .build();

        // when
        PrimingCalls.stateTableWrites(dynamo, PrimingLoopback.TABLE).action().run();

        // then: PutItem, UpdateItem, TransactWriteItems and DeleteItem, each signed, none sent
        assertThat(signed).hasSize(4).allSatisfy(request ->
                assertThat(request.firstMatchingHeader("Authorization")).hasValueSatisfying(value -> assertThat(value).startsWith("AWS4-HMAC-SHA256 ")));
        assertThat(signed).extracting(request -> request.firstMatchingHeader("X-Amz-Target").orElseThrow())
                .containsExactly("DynamoDB_20120810.PutItem", "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.TransactWriteItems",
                        "DynamoDB_20120810.DeleteItem");
        assertThat(aws.operations()).isEmpty();
    }

    @Test
    void failsTheStepWhenARehearsedRequestIsAnswered() {
        // given: a client whose own interceptor, running first, unmarks every request, so the stop lets them go
        aws.answering();
        ExecutionInterceptor unmark = new ExecutionInterceptor() {
            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                attributes.putAttribute(PrimingCalls.REHEARSAL, Boolean.FALSE);
            }
        };
        DynamoDbClient dynamo = DynamoDbClient.builder()
                .endpointOverride(URI.create(System.getProperty("aws.endpointUrlDynamoDb")))
                .region(Region.EU_WEST_1)
                .overrideConfiguration(c -> c.addExecutionInterceptor(unmark))
                .build();

        // when / then: the first request went out, and the step fails rather than passing as primed; its condition that
        // the never-written partition exists kept it from writing
        assertThatThrownBy(() -> PrimingCalls.stateTableWrites(dynamo, PrimingLoopback.TABLE).action().run())
                .isInstanceOf(ConditionalCheckFailedException.class);
        assertThat(aws.operations()).containsExactly("DynamoDB PutItem");
        assertThat(aws.stateTableItems()).isZero();
    }
}
