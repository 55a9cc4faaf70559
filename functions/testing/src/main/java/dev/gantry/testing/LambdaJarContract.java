package dev.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What every function's deployment package must hold (docs/decisions/0027): the AWS services its wirings build clients
 * for and nothing it never loads, within its size budget, and every class its handlers' code names. Each function
 * module's {@code LambdaJarIT} extends it with what is particular to that function.
 */
public abstract class LambdaJarContract {

    /**
     * How a jar may differ from the usual shape. A function that makes its few AWS calls by signing them itself
     * (slack-interactions, decisions 14 and 34) ships no SDK HTTP client and no service module, and its priming warms
     * its own path rather than replaying a list of classes.
     */
    public enum Shape {
        /** SDK service clients over the URL-connection HTTP client, and a priming list (decision 33). */
        SDK_CLIENTS,
        /** Requests signed with the SDK's signer and sent over {@code HttpURLConnection}: no SDK HTTP client, no list. */
        SIGNED_REQUESTS
    }

    private final LambdaJar jar;
    private final long sizeBudgetBytes;
    private final Set<String> awsServices;
    private final String handlerPackage;
    private final Shape shape;

    /**
     * @param module the function module, e.g. {@code ecs-deploy}
     * @param sizeBudgetBytes what the jar needs today and about a megabyte for Gantry's own code to grow: a new library
     *     or AWS service module fails this, and is a decision to record
     * @param awsServices the SDK service modules its wirings build clients for
     * @param handlerPackage the handlers' package as a path, e.g. {@code dev/gantry/fn/ecsdeploy/}
     */
    protected LambdaJarContract(String module, long sizeBudgetBytes, Set<String> awsServices, String handlerPackage) {
        this(module, sizeBudgetBytes, awsServices, handlerPackage, Shape.SDK_CLIENTS);
    }

    protected LambdaJarContract(String module, long sizeBudgetBytes, Set<String> awsServices, String handlerPackage, Shape shape) {
        this.jar = LambdaJar.of(module);
        this.sizeBudgetBytes = sizeBudgetBytes;
        this.awsServices = awsServices;
        this.handlerPackage = handlerPackage;
        this.shape = shape;
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
    void shipsTheUrlConnectionHttpClientOnlyForSdkClientsAndNoOtherHttpClient() {
        assertThat(jar.contains("software/amazon/awssdk/http/urlconnection/")).isEqualTo(shape == Shape.SDK_CLIENTS);
        assertThat(List.of("software/amazon/awssdk/http/apache/", "org/apache/http/", "software/amazon/awssdk/http/nio/netty/",
                "io/netty/", "software/amazon/awssdk/http/crt/", "software/amazon/awssdk/crt/"))
                .noneMatch(jar::contains);
    }

    @Test
    void leavesOutTheLambdaEventsLibraryThatOnlyPowertoolsEventDeserializerReads() {
        assertThat(jar.contains("com/amazonaws/services/lambda/runtime/events/")).isFalse();
    }

    /**
     * The classes SnapStart priming loads from the jar's list (decision 33) are all still in the jar or the JDK: a list a
     * rename left behind would only prime less, quietly, so it is caught here. Loaded without initializing, in a loader
     * of the jar alone, as Lambda's would see it.
     */
    @Test
    void hasEveryClassItsPrimingListNames() throws IOException {
        String resource = "META-INF/gantry/priming-classes.txt";
        List<String> missing = new ArrayList<>();
        int listed = 0;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.path().toUri().toURL()}, ClassLoader.getPlatformClassLoader());
                InputStream in = loader.getResourceAsStream(resource)) {
            if (shape == Shape.SIGNED_REQUESTS) {
                assertThat(in).as("%s in %s: its priming replays no list", resource, jar.path()).isNull();
                return;
            }
            assertThat(in).as("%s in %s (scripts/priming-classes writes it)", resource, jar.path()).isNotNull();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                listed++;
                String name = line.substring(line.indexOf(' ') + 1).trim();
                try {
                    Class.forName(name, false, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    missing.add(line);
                }
            }
        }
        assertThat(listed).as("classes listed in %s", resource).isPositive();
        assertThat(missing).as("listed in %s but not in the jar or the JDK: run scripts/priming-classes", resource).isEmpty();
    }

    @Test
    void hasEveryClassItsHandlersCodeNames() {
        // AwsClients and PrimingCalls have a method per AWS service; a function calls only those for the services it ships.
        assertThat(jar.missingReferences(List.of(handlerPackage, "dev/gantry/aws/lambda/"),
                Set.of("dev/gantry/aws/AwsClients", "dev/gantry/aws/PrimingCalls"))).isEmpty();
    }
}
