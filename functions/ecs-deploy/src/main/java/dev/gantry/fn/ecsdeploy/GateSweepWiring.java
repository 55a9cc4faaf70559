package dev.gantry.fn.ecsdeploy;

import dev.gantry.aws.AwsClients;
import dev.gantry.aws.SnapStartPriming;
import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.GateService;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Builds the gate sweep from the environment, all at init: the same variables and the same deploy service as
 * the deploy function, so a release the sweep deploys is the same release record a push would have made, and its
 * news goes to the same release thread.
 */
final class GateSweepWiring {

    private GateSweepWiring() {}

    /**
     * What the gate sweep handler runs on, and how it is primed for a SnapStart snapshot. The sweep reads no event, so
     * there is none to prime; its first read, the due gate records, is the state table's Query.
     */
    record Wired(GateSweepService sweep, GateSweepNews news, SnapStartPriming priming) {}

    static Wired fromEnvironment(Map<String, String> environment) {
        GantryConfig config = ConfigLoader.fromEnvironment(environment);
        AwsClients aws = new AwsClients(environment);
        DynamoDbClient dynamo = aws.dynamoDb();
        SnapStartPriming.Builder priming = SnapStartPriming.builder().loadListedClasses();
        EcsDeployWiring.primeStateTable(priming, aws, dynamo);
        GateService configured = EcsDeployWiring.gateService(config, aws, dynamo, priming);
        if (configured == null) {
            throw new IllegalStateException("the gate sweep runs, but the configuration declares no gates: nothing can wait at one");
        }
        GateSweepNews news = new GateSweepNews(EcsDeployWiring.deployNews(config, aws, dynamo, priming));
        // The deploy records its hand-offs through the same followed service, so those reach the release threads too.
        GateService gates = news.following(configured);
        return new Wired(new GateSweepService(gates, EcsDeployWiring.deployService(config, aws, dynamo, gates, priming)), news,
                priming.build());
    }
}
