package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every function's deployment package must hold (docs/decisions/0027): the AWS services its wirings build clients
 * for and nothing it never loads, within its size budget, and every class its handlers' code names. Each function
 * module's {@code LambdaJarIT} extends it with what is particular to that function.
 */
public abstract class LambdaJarContract {

    private final LambdaJar jar;
    private final long sizeBudgetBytes;
    private final Set<String> awsServices;
    private final String handlerPackage;

    /**
     * @param module the function module, e.g. {@code ecs-deploy}
     * @param sizeBudgetBytes what the jar needs today and about a megabyte for Gantry's own code to grow: a new library
     *     or AWS service module fails this, and is a decision to record
     * @param awsServices the SDK service modules its wirings build clients for
     * @param handlerPackage the handlers' package as a path, e.g. {@code dev/gantry/fn/ecsdeploy/}
     */
    protected LambdaJarContract(String module, long sizeBudgetBytes, Set<String> awsServices, String handlerPackage) {
        this.jar = LambdaJar.of(module);
        this.sizeBudgetBytes = sizeBudgetBytes;
        this.awsServices = awsServices;
        this.handlerPackage = handlerPackage;
    }

    @Test
    void staysWithinItsSizeBudget() {
        assertThat(jar.size()).as("%s: %d bytes, %d classes", jar.path(), jar.size(), jar.classCount())
                .isLessThanOrEqualTo(sizeBudgetBytes);
    }

    @Test
    void shipsTheAwsServicesItsWiringsCallAndNoOthers() {
        assertThat(jar.awsServices()).containsExactlyInAnyOrderElementsOf(awsServices);
    }

    @Test
    void shipsOnlyTheUrlConnectionHttpClient() {
        assertThat(jar.contains("software/amazon/awssdk/http/urlconnection/")).isTrue();
        assertThat(List.of("software/amazon/awssdk/http/apache/", "org/apache/http/", "software/amazon/awssdk/http/nio/netty/",
                "io/netty/", "software/amazon/awssdk/http/crt/", "software/amazon/awssdk/crt/"))
                .noneMatch(jar::contains);
    }

    @Test
    void leavesOutTheLambdaEventsLibraryThatOnlyPowertoolsEventDeserializerReads() {
        assertThat(jar.contains("com/amazonaws/services/lambda/runtime/events/")).isFalse();
    }

    @Test
    void hasEveryClassItsHandlersCodeNames() {
        // AwsClients and PrimingCalls have a method per AWS service; a function calls only those for the services it ships.
        assertThat(jar.missingReferences(List.of(handlerPackage, "dev/gantry/aws/lambda/"),
                Set.of("dev/gantry/aws/AwsClients", "dev/gantry/aws/PrimingCalls"))).isEmpty();
    }
}
