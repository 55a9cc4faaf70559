package dev.gantry.aws;

import java.time.Duration;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.codepipeline.CodePipelineClient;
import software.amazon.awssdk.services.ecr.EcrClient;

/**
 * Builds the clients a pipeline action needs (CodePipeline, ECR, and S3 for the job's artifacts), once, at
 * init, the way {@link AwsClients} builds the others: URL-connection HTTP client, region given, credentials
 * from the environment without walking the SDK's provider chains, endpoints left to the SDK.
 */
public final class PipelineClients {

    private final Map<String, String> environment;
    private final Region region;
    // One HTTP client for these service clients and every per-job S3 client: one connection pool.
    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;

    public PipelineClients(Map<String, String> environment, Region region) {
        this.environment = environment;
        this.region = region;
        this.http = UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(15))
                .build();
        this.credentials = environment.containsKey("AWS_ACCESS_KEY_ID")
                ? EnvironmentVariableCredentialsProvider.create()
                : DefaultCredentialsProvider.builder().build();
    }

    /** CodePipeline in the function's region: a pipeline invokes functions in its own region. */
    public CodePipelineClient codePipeline() {
        return CodePipelineClient.builder().httpClient(http).credentialsProvider(credentials).region(region).build();
    }

    public EcrClient ecr(Region clientRegion) {
        return EcrClient.builder().httpClient(http).credentialsProvider(credentials).region(clientRegion).build();
    }

    /** Reads artifacts with each job's own credentials, never the function's. */
    public S3ArtifactReader artifactReader() {
        return S3ArtifactReader.fromEnvironment(environment, http, region);
    }
}
