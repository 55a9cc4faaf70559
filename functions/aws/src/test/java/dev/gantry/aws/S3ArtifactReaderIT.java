package dev.gantry.aws;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.ArtifactReader.ArtifactReadException;
import dev.gantry.testing.PipelineArtifacts;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;

class S3ArtifactReaderIT {

    // The credentials of the AWS Lambda Developer Guide's sample job: obviously not real.
    private static final ArtifactAccess JOB_ACCESS = new ArtifactAccess("AKIAIOSFODNN7EXAMPLE", "6CGtmAa3lzWtV7a...", "IQoJb3JpZ2luX2VjEA...");
    private static final ArtifactLocation BUILD_OUTPUT = new ArtifactLocation("BuildArtifact", "eu-west-1-111111111111-payments-api",
            "payments-api/BuildArtif/Gx7mPq2");

    private static WireMockServer server;
    private static SdkHttpClient http;
    private S3ArtifactReader reader;

    @BeforeAll
    static void startServer() {
        server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        http = UrlConnectionHttpClient.create();
    }

    @AfterAll
    static void stopServer() {
        http.close();
        server.stop();
    }

    @BeforeEach
    void reset() {
        server.resetAll();
        reader = new S3ArtifactReader(http, Region.EU_WEST_1, URI.create(server.baseUrl()), true);
    }

    @Test
    void readsTheArtifactSignedWithTheJobsCredentials() {
        byte[] zip = PipelineArtifacts.imageDefinitions(PipelineArtifacts.IMAGE_DEFINITIONS_BY_TAG);
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).willReturn(S3Wire.object(zip)));

        byte[] read = reader.read(BUILD_OUTPUT, JOB_ACCESS, 5 * 1024 * 1024);

        assertThat(read).isEqualTo(zip);
        LoggedRequest get = S3Wire.gets(server, BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).get(0);
        assertThat(get.getHeader("Authorization")).contains("Credential=AKIAIOSFODNN7EXAMPLE/").contains("/eu-west-1/s3/aws4_request");
        assertThat(get.getHeader("X-Amz-Security-Token")).isEqualTo("IQoJb3JpZ2luX2VjEA...");
    }

    @Test
    void readsFromTheEndpointOfTheEnvironmentItWasWiredFromNotTheProcesss() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).willReturn(S3Wire.object(new byte[] {1, 2, 3})));
        S3ArtifactReader wired = S3ArtifactReader.fromEnvironment(Map.of("AWS_ENDPOINT_URL", server.baseUrl()), http,
                Region.EU_WEST_1, null);

        byte[] read = wired.read(BUILD_OUTPUT, JOB_ACCESS, 1024);

        assertThat(read).containsExactly(1, 2, 3);
        assertThat(S3Wire.gets(server, BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key())).hasSize(1);
    }

    @Test
    void retriesAFailingReadAsTheFunctionsOtherCallsAreRetriedThenGivesUp() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key())
                .willReturn(S3Wire.error(500, "InternalError", "We encountered an internal error. Please try again.")));
        S3ArtifactReader wired = new AwsClients(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", "testaccesskey",
                "AWS_SECRET_ACCESS_KEY", "test-secret-key", "AWS_ENDPOINT_URL", server.baseUrl())).artifactReader();

        assertThatThrownBy(() -> wired.read(BUILD_OUTPUT, JOB_ACCESS, 1024))
                .isInstanceOf(ArtifactReadException.class)
                .hasMessageContaining("InternalError (HTTP 500)");
        assertThat(S3Wire.gets(server, BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key())).as("Gantry's standard retries: three attempts").hasSize(3);
    }

    @Test
    void readsEachJobWithItsOwnCredentials() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).willReturn(S3Wire.object(new byte[] {1, 2, 3})));
        ArtifactAccess nextJob = new ArtifactAccess("ASIAEXAMPLENEXTJOB00", "next-secret-example", "next-token-example");

        reader.read(BUILD_OUTPUT, JOB_ACCESS, 1024);
        reader.read(BUILD_OUTPUT, nextJob, 1024);

        var gets = S3Wire.gets(server, BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key());
        assertThat(gets.get(0).getHeader("Authorization")).contains("Credential=AKIAIOSFODNN7EXAMPLE/");
        assertThat(gets.get(1).getHeader("Authorization")).contains("Credential=ASIAEXAMPLENEXTJOB00/");
        assertThat(gets.get(1).getHeader("X-Amz-Security-Token")).isEqualTo("next-token-example");
    }

    @Test
    void refusesAnArtifactLargerThanTheCallerAccepts() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).willReturn(S3Wire.object(new byte[2000])));

        assertThatThrownBy(() -> reader.read(BUILD_OUTPUT, JOB_ACCESS, 1000))
                .isInstanceOf(ArtifactReadException.class)
                .hasMessage("input artifact " + BUILD_OUTPUT + " is 2000 bytes, more than the 1000 bytes Gantry reads");
    }

    @Test
    void stopsReadingABodyWithoutDeclaredLengthAtTheLimit() {
        // Chunked, so the size is known only by reading: the reader must stop one byte past the limit.
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key())
                .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withStatus(200).withBody(new byte[2000])));

        assertThatThrownBy(() -> reader.read(BUILD_OUTPUT, JOB_ACCESS, 1000))
                .isInstanceOf(ArtifactReadException.class)
                .hasMessage("input artifact " + BUILD_OUTPUT + " is larger than the 1000 bytes Gantry reads");
    }

    @Test
    void reportsAMissingArtifactNamingIt() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key())
                .willReturn(S3Wire.error(404, "NoSuchKey", "The specified key does not exist.")));

        assertThatThrownBy(() -> reader.read(BUILD_OUTPUT, JOB_ACCESS, 1024))
                .isInstanceOf(ArtifactReadException.class)
                .hasMessage("input artifact BuildArtifact (s3://eu-west-1-111111111111-payments-api/payments-api/BuildArtif/Gx7mPq2)"
                        + " does not exist (NoSuchKey)");
    }

    @Test
    void keepsWhateverS3EchoesOutOfTheError() {
        server.stubFor(S3Wire.getObject(BUILD_OUTPUT.bucket(), BUILD_OUTPUT.key()).willReturn(S3Wire.error(403, "AccessDenied",
                "Access Denied for AKIAIOSFODNN7EXAMPLE with 6CGtmAa3lzWtV7a... and IQoJb3JpZ2luX2VjEA...")));

        assertThatThrownBy(() -> reader.read(BUILD_OUTPUT, JOB_ACCESS, 1024))
                .isInstanceOf(ArtifactReadException.class)
                .hasMessageEndingWith("with the job's credentials: AccessDenied (HTTP 403)")
                .hasNoCause()
                .satisfies(e -> assertThat(e.getMessage())
                        .doesNotContain("AKIAIOSFODNN7EXAMPLE").doesNotContain("6CGtmAa3lzWtV7a").doesNotContain("IQoJb3JpZ2luX2VjEA"));
    }
}
