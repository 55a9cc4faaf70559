package dev.gantry.fn.interactions;

import java.net.URI;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;

/**
 * Where the acknowledgement path's two AWS calls go, and as whom: read once from the environment Lambda sets.
 *
 * <ul>
 *   <li>Region: {@code AWS_REGION}, else {@code AWS_DEFAULT_REGION}; required.
 *   <li>Credentials: {@code AWS_ACCESS_KEY_ID} and {@code AWS_SECRET_ACCESS_KEY}, with {@code AWS_SESSION_TOKEN} when
 *       set (Lambda sets all three when SnapStart is off, and they do not change for the life of the execution
 *       environment). Without an access key the SDK's default provider chain: that is the case on Lambda with SnapStart,
 *       which serves credentials from its container credentials endpoint so that a restored snapshot never carries
 *       expired ones, and in a local run with a profile or SSO. The chain is asked on the first request, never before
 *       the snapshot.
 *   <li>Endpoints: {@code AWS_ENDPOINT_URL_SECRETS_MANAGER} or {@code AWS_ENDPOINT_URL_SQS}, else
 *       {@code AWS_ENDPOINT_URL}, else the regional endpoint {@code https://<service>.<region>.amazonaws.com}. The SDK's
 *       other endpoint sources (profile files, FIPS and dual-stack settings) are not read.
 * </ul>
 *
 * @throws IllegalStateException from {@link #from} when the region or half of an access key pair is missing, or an
 *     endpoint is not an absolute http or https URL
 */
record AckAwsEnvironment(
        String region, Supplier<AwsCredentialsIdentity> credentials, URI secretsManagerEndpoint, URI sqsEndpoint) {

    static final String REGION_ENV = "AWS_REGION";
    static final String DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION";
    static final String ACCESS_KEY_ID_ENV = "AWS_ACCESS_KEY_ID";
    static final String SECRET_ACCESS_KEY_ENV = "AWS_SECRET_ACCESS_KEY";
    static final String SESSION_TOKEN_ENV = "AWS_SESSION_TOKEN";
    static final String ENDPOINT_ENV = "AWS_ENDPOINT_URL";
    static final String SECRETS_MANAGER_ENDPOINT_ENV = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
    static final String SQS_ENDPOINT_ENV = "AWS_ENDPOINT_URL_SQS";

    static AckAwsEnvironment from(Map<String, String> environment) {
        String region = set(environment, REGION_ENV);
        if (region == null) {
            region = set(environment, DEFAULT_REGION_ENV);
        }
        if (region == null) {
            throw new IllegalStateException("environment variable " + REGION_ENV + " is not set; set it to the region Gantry runs in");
        }
        return new AckAwsEnvironment(region, credentials(environment),
                endpoint(environment, SECRETS_MANAGER_ENDPOINT_ENV, "secretsmanager", region),
                endpoint(environment, SQS_ENDPOINT_ENV, "sqs", region));
    }

    /** A setting the function cannot run without. */
    static String required(Map<String, String> environment, String name) {
        String value = set(environment, name);
        if (value == null) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    private static Supplier<AwsCredentialsIdentity> credentials(Map<String, String> environment) {
        String accessKeyId = set(environment, ACCESS_KEY_ID_ENV);
        if (accessKeyId == null) {
            return defaultChain();
        }
        String secretAccessKey = set(environment, SECRET_ACCESS_KEY_ENV);
        if (secretAccessKey == null) {
            throw new IllegalStateException(ACCESS_KEY_ID_ENV + " is set but " + SECRET_ACCESS_KEY_ENV + " is not");
        }
        String sessionToken = set(environment, SESSION_TOKEN_ENV);
        AwsCredentialsIdentity identity = sessionToken == null
                ? AwsCredentialsIdentity.create(accessKeyId, secretAccessKey)
                : AwsSessionCredentialsIdentity.create(accessKeyId, secretAccessKey, sessionToken);
        return () -> identity;
    }

    // Its own method, so the provider chain's classes load only where it is used: without an access key in the
    // environment, which is Lambda with SnapStart (container credentials) and a local run on a profile or SSO.
    private static Supplier<AwsCredentialsIdentity> defaultChain() {
        DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
        return chain::resolveCredentials;
    }

    private static URI endpoint(Map<String, String> environment, String serviceEndpointEnv, String endpointPrefix, String region) {
        String name = set(environment, serviceEndpointEnv) != null ? serviceEndpointEnv : ENDPOINT_ENV;
        String configured = set(environment, name);
        if (configured == null) {
            return URI.create("https://" + endpointPrefix + "." + region + ".amazonaws.com");
        }
        URI uri;
        try {
            uri = URI.create(configured);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(name + " is not a URL: " + configured);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalStateException(name + " must be an absolute http or https URL, not " + configured);
        }
        return uri;
    }

    private static String set(Map<String, String> environment, String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }
}
