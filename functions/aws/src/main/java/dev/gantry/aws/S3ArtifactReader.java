package dev.gantry.aws;

import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.ArtifactReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link ArtifactReader} over S3 {@code GetObject}, signed with the job's artifact credentials.
 *
 * <p>Each read builds its own S3 client, because each job brings its own short-lived credentials. What is
 * expensive is shared and built once: the HTTP client (its connection pool) and the configuration. The
 * endpoint is the one the function's environment names ({@code AWS_ENDPOINT_URL_S3}, else
 * {@code AWS_ENDPOINT_URL}), read from the environment it is given as {@link AwsClients} reads it for every other
 * service, so a function wired from another environment (the local run, the tests) reads its artifacts where that
 * one says; when one of them is set, requests are path-style ({@code /bucket/key}), because a local S3 stand-in
 * has no DNS for {@code bucket.host}.
 *
 * <p>Error messages name the artifact and S3's error code, never S3's own message text, and S3's
 * exceptions are not chained: nothing S3 echoes back can travel further.
 */
public final class S3ArtifactReader implements ArtifactReader {

    static final String ENDPOINT_ENV = "AWS_ENDPOINT_URL";
    static final String S3_ENDPOINT_ENV = "AWS_ENDPOINT_URL_S3";
    static final String IGNORE_ENDPOINTS_ENV = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS";

    private final SdkHttpClient http;
    private final Region region;
    private final URI endpointOverride;
    private final boolean pathStyle;
    private final ClientOverrideConfiguration overrides;

    /**
     * @param http the shared HTTP client; each read's S3 client uses it and leaves it open
     * @param endpointOverride where S3 is, or null for the SDK's own resolution (AWS, or the process's
     *     endpoint variables)
     * @param pathStyle whether to address objects as {@code /bucket/key}
     */
    public S3ArtifactReader(SdkHttpClient http, Region region, URI endpointOverride, boolean pathStyle) {
        this(http, region, endpointOverride, pathStyle, null);
    }

    /** @param overrides retries and call timeout of every read's S3 client; null for the SDK's defaults */
    S3ArtifactReader(SdkHttpClient http, Region region, URI endpointOverride, boolean pathStyle, ClientOverrideConfiguration overrides) {
        this.http = http;
        this.region = region;
        this.endpointOverride = endpointOverride;
        this.pathStyle = pathStyle;
        this.overrides = overrides;
    }

    /**
     * The reader Lambda uses: at the endpoint {@code environment} names, path-style, else where the SDK resolves S3.
     *
     * @param overrides the retries and call timeout the function's other clients have, so that a read of an S3 that hangs
     *     gives up as their calls do
     */
    public static S3ArtifactReader fromEnvironment(Map<String, String> environment, SdkHttpClient http, Region region,
            ClientOverrideConfiguration overrides) {
        URI endpoint = endpointOf(environment);
        return new S3ArtifactReader(http, region, endpoint, endpoint != null, overrides);
    }

    /** Whether the environment points S3 at an endpoint of its own, as the SDK reads it. */
    static boolean endpointConfigured(Map<String, String> environment) {
        return endpointOf(environment) != null;
    }

    /**
     * The endpoint {@code environment} names for S3, as the SDK would read it from the process; null when it names none.
     * The SDK itself only ever reads the process's own environment, which is not always the one the function was wired
     * from.
     */
    static URI endpointOf(Map<String, String> environment) {
        if (Boolean.parseBoolean(environment.getOrDefault(IGNORE_ENDPOINTS_ENV, "false").trim())) {
            return null;
        }
        String endpoint = isSet(environment.get(S3_ENDPOINT_ENV)) ? environment.get(S3_ENDPOINT_ENV) : environment.get(ENDPOINT_ENV);
        return isSet(endpoint) ? URI.create(endpoint.strip()) : null;
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    @Override
    public byte[] read(ArtifactLocation location, ArtifactAccess access, int maxBytes) {
        AwsCredentialsProvider jobCredentials = StaticCredentialsProvider.create(
                AwsSessionCredentials.create(access.accessKeyId(), access.secretAccessKey(), access.sessionToken()));
        try (S3Client s3 = client(jobCredentials);
                ResponseInputStream<GetObjectResponse> object = s3.getObject(r -> r.bucket(location.bucket()).key(location.key()))) {
            Long length = object.response().contentLength();
            if (length != null && length > maxBytes) {
                throw tooLarge(location, "is " + length + " bytes, more than", maxBytes);
            }
            // One byte more than allowed shows a body larger than its declared length without reading it all.
            byte[] content = object.readNBytes(maxBytes + 1);
            if (content.length > maxBytes) {
                throw tooLarge(location, "is larger than", maxBytes);
            }
            return content;
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            throw new ArtifactReadException("input artifact " + location + " does not exist (" + e.awsErrorDetails().errorCode() + ")", null);
        } catch (S3Exception e) {
            throw new ArtifactReadException("S3 refused to read input artifact " + location + " with the job's credentials: "
                    + errorCode(e) + " (HTTP " + e.statusCode() + ")", null);
        } catch (SdkClientException e) {
            throw new ArtifactReadException("reading input artifact " + location + " from S3 failed: " + e.getMessage(), e);
        } catch (SdkException | IOException e) {
            throw new ArtifactReadException("reading input artifact " + location + " from S3 failed: " + e.getClass().getSimpleName(), null);
        }
    }

    /**
     * Reads an artifact no pipeline has as {@link #read} does, through a client built as a job's is, with credentials no one
     * has and {@code rehearsal} applied to the request: priming's rehearsal, which must stop it before it is sent.
     */
    void rehearseRead(Consumer<AwsRequestOverrideConfiguration.Builder> rehearsal) {
        AwsCredentialsProvider noOnesCredentials = StaticCredentialsProvider.create(AwsSessionCredentials.create(
                "gantry-snapstart-priming", "gantry-snapstart-priming", "gantry-snapstart-priming"));
        try (S3Client s3 = client(noOnesCredentials);
                ResponseInputStream<GetObjectResponse> object = s3.getObject(r -> r
                        .bucket("gantry-snapstart-priming")
                        .key("artifact.zip")
                        .overrideConfiguration(rehearsal))) {
            object.readNBytes(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private S3Client client(AwsCredentialsProvider credentials) {
        S3ClientBuilder builder = S3Client.builder()
                .httpClient(http)
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(pathStyle);
        if (endpointOverride != null) {
            builder.endpointOverride(endpointOverride);
        }
        if (overrides != null) {
            builder.overrideConfiguration(overrides);
        }
        return builder.build();
    }

    private static String errorCode(S3Exception e) {
        return e.awsErrorDetails() == null || e.awsErrorDetails().errorCode() == null ? "no error code" : e.awsErrorDetails().errorCode();
    }

    private static ArtifactReadException tooLarge(ArtifactLocation location, String size, int maxBytes) {
        return new ArtifactReadException("input artifact " + location + " " + size + " the " + maxBytes + " bytes Gantry reads", null);
    }
}
