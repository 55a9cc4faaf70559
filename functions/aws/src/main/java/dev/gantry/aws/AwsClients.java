package dev.gantry.aws;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.codebuild.CodeBuildClient;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.ecr.EcrClient;
import software.amazon.awssdk.services.ecs.EcsClient;
import software.amazon.awssdk.services.lambda.LambdaClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.ssm.SsmClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * Builds the SDK clients the functions use, once, at init.
 *
 * <p>Region and credentials come from the environment without walking the SDK's full provider chains,
 * which probe files and the instance metadata service and cost cold-start time. Endpoints are left to
 * the SDK, which honours {@code AWS_ENDPOINT_URL} and {@code AWS_ENDPOINT_URL_<SERVICE>} itself, so the
 * same build talks to AWS, LocalStack or a loopback test server.
 */
public final class AwsClients {

    /** Lambda sets this; locally it must be set, or {@code AWS_DEFAULT_REGION}. */
    public static final String REGION_ENV = "AWS_REGION";
    public static final String DEFAULT_REGION_ENV = "AWS_DEFAULT_REGION";
    /**
     * How long one attempt of a call may wait for AWS to answer before the SDK gives it up and retries; default 10 s.
     * A whole call, its three attempts and their backoff included, is cut off at two and a half times this (25 s), so
     * a service that hangs fails the invocation with its reason well inside the function's timeout instead of Lambda
     * ending it without one.
     */
    public static final String READ_TIMEOUT_ENV = "GANTRY_AWS_READ_TIMEOUT_MS";
    static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, String> environment;
    private final SdkHttpClient http;
    private final ClientOverrideConfiguration overrides;
    private final AwsCredentialsProvider credentials;
    private final Region region;

    public AwsClients(Map<String, String> environment) {
        this.environment = environment;
        // One HTTP client for every service client: one connection pool, one set of threads.
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(readTimeout(environment))
                .build();
        // Standard mode rather than the SDK's legacy default: three attempts for every service (legacy gives DynamoDB
        // nine, which under persistent throttling waited over a minute, beyond the function's timeout).
        this.overrides = ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .apiCallTimeout(readTimeout(environment).multipliedBy(5).dividedBy(2))
                .build();
        // With SnapStart, Lambda sets no access key: its container credentials endpoint serves them, which only the
        // default chain reads. Without SnapStart the keys are in the environment and probing the chain would be waste.
        this.credentials = environment.containsKey("AWS_ACCESS_KEY_ID")
                ? StaticCredentialsProvider.create(credentialsIn(environment))
                : DefaultCredentialsProvider.builder().build();
        this.region = Region.of(regionName());
    }

    /**
     * The keys of the environment this was given, read once: Lambda never changes them while the process lives, and a
     * process that is handed another environment (the local run, the tests) signs with that one, not its own.
     */
    private static AwsCredentials credentialsIn(Map<String, String> environment) {
        String secret = environment.get("AWS_SECRET_ACCESS_KEY");
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
        }
        String token = environment.get("AWS_SESSION_TOKEN");
        return token == null || token.isBlank()
                ? AwsBasicCredentials.create(environment.get("AWS_ACCESS_KEY_ID"), secret)
                : AwsSessionCredentials.create(environment.get("AWS_ACCESS_KEY_ID"), secret, token);
    }

    /**
     * Gantry's retry and call timeout, and the endpoint the environment names for the service ({@code AWS_ENDPOINT_URL_<SERVICE>}, else
     * {@code AWS_ENDPOINT_URL}), as the SDK itself would read it from the process, but from the environment this was
     * given, so a function wired from another environment (the local run, the tests) talks where that one says.
     */
    private <B extends software.amazon.awssdk.core.client.builder.SdkClientBuilder<B, ?>> B endpoint(B builder, String serviceId) {
        builder.overrideConfiguration(overrides);
        if (Boolean.parseBoolean(environment.getOrDefault("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false").strip())) {
            return builder;
        }
        String endpoint = environment.get("AWS_ENDPOINT_URL_" + serviceId);
        if (endpoint == null || endpoint.isBlank()) {
            endpoint = environment.get("AWS_ENDPOINT_URL");
        }
        return endpoint == null || endpoint.isBlank() ? builder : builder.endpointOverride(java.net.URI.create(endpoint.strip()));
    }

    static Duration readTimeout(Map<String, String> environment) {
        String millis = environment.get(READ_TIMEOUT_ENV);
        if (millis == null || millis.isBlank()) {
            return DEFAULT_READ_TIMEOUT;
        }
        try {
            long value = Long.parseLong(millis.strip());
            if (value > 0) {
                return Duration.ofMillis(value);
            }
        } catch (NumberFormatException e) {
            // Named below with the value that was given.
        }
        throw new IllegalArgumentException(READ_TIMEOUT_ENV + " must be a positive number of milliseconds, not '" + millis + "'");
    }

    public static AwsClients fromEnvironment() {
        return new AwsClients(System.getenv());
    }

    public Region region() {
        return region;
    }

    /** The one HTTP client every service client shares, for clients built outside this class. */
    public SdkHttpClient httpClient() {
        return http;
    }

    /** The credentials the function itself runs with; the source credentials for roles it assumes. */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    public EcsClient ecs(Region clientRegion) {
        return ecs(clientRegion, credentials);
    }

    /** An ECS client signing with {@code clientCredentials}, e.g. those of an assumed role, over the shared HTTP client. */
    public EcsClient ecs(Region clientRegion, AwsCredentialsProvider clientCredentials) {
        return endpoint(EcsClient.builder(), "ECS").httpClient(http).credentialsProvider(clientCredentials).region(clientRegion).build();
    }

    /** STS in the region Gantry runs in, with the function's own credentials: the client that assumes roles. */
    public StsClient sts() {
        return endpoint(StsClient.builder(), "STS").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** CodePipeline in the function's region: a pipeline invokes functions in its own region. */
    public CodePipelineClient codePipeline() {
        return endpoint(CodePipelineClient.builder(), "CODEPIPELINE").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** CodeBuild in the function's region: the projects that rebuild images on a new base. */
    public CodeBuildClient codeBuild() {
        return endpoint(CodeBuildClient.builder(), "CODEBUILD").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    public EcrClient ecr(Region clientRegion) {
        return endpoint(EcrClient.builder(), "ECR").httpClient(http).credentialsProvider(credentials).region(clientRegion).build();
    }

    /**
     * Reads pipeline artifacts with each job's own credentials, never the function's, over the shared HTTP client, with
     * the retries and call timeout every other client has.
     */
    public S3ArtifactReader artifactReader() {
        return S3ArtifactReader.fromEnvironment(environment, http, region, overrides);
    }

    public DynamoDbClient dynamoDb() {
        return endpoint(DynamoDbClient.builder(), "DYNAMODB").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** CloudWatch in the function's region: the alarms a gate watches. */
    public CloudWatchClient cloudWatch() {
        return endpoint(CloudWatchClient.builder(), "CLOUDWATCH").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** Systems Manager in the function's region: the Change Calendars freezes read. */
    public SsmClient ssm() {
        return endpoint(SsmClient.builder(), "SSM").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** Lambda in the function's region: the functions that answer custom gate checks. */
    public LambdaClient lambda() {
        return endpoint(LambdaClient.builder(), "LAMBDA").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** Secrets Manager in the function's region: the Slack bot token. */
    public SecretsManagerClient secretsManager() {
        return endpoint(SecretsManagerClient.builder(), "SECRETS_MANAGER").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** SQS in the function's region: the queues ChatOps hands work and news through. */
    public SqsClient sqs() {
        return endpoint(SqsClient.builder(), "SQS").httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    /** A setting the function can run without; empty when unset or blank. */
    public java.util.Optional<String> optional(String name) {
        return java.util.Optional.ofNullable(environment.get(name)).filter(v -> !v.isBlank());
    }

    /** A setting the function cannot run without. */
    public String required(String name) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("environment variable " + name + " is not set");
        }
        return value;
    }

    private String regionName() {
        String name = environment.getOrDefault(REGION_ENV, environment.get(DEFAULT_REGION_ENV));
        if (name == null || name.isBlank()) {
            throw new IllegalStateException("environment variable " + REGION_ENV + " is not set; set it to the region Gantry runs in");
        }
        return name;
    }
}
