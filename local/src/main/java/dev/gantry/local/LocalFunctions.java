package dev.gantry.local;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.gantry.aws.DynamoDbAuditLog;
import dev.gantry.aws.DynamoDbChatRequestLedger;
import dev.gantry.aws.DynamoDbDeployControls;
import dev.gantry.aws.DynamoDbGateStore;
import dev.gantry.aws.DynamoDbLineageHistory;
import dev.gantry.aws.DynamoDbManualFreezes;
import dev.gantry.aws.DynamoDbPendingApprovals;
import dev.gantry.aws.DynamoDbRebuildLedger;
import dev.gantry.aws.DynamoDbReleaseStore;
import dev.gantry.aws.DynamoDbRevokedBases;
import dev.gantry.core.chatops.ChatOpsService;
import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.GantryConfig;
import dev.gantry.core.config.GateConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.deploy.ContainerImage;
import dev.gantry.core.deploy.DeployService;
import dev.gantry.core.deploy.EcsServiceRef;
import dev.gantry.core.deploy.GateSweepService;
import dev.gantry.core.gate.AlarmStates;
import dev.gantry.core.gate.ApproverGroups;
import dev.gantry.core.gate.GateService;
import dev.gantry.core.notify.ChatGateway;
import dev.gantry.core.notify.DeployNews;
import dev.gantry.core.notify.GateNews;
import dev.gantry.core.notify.Notifier;
import dev.gantry.core.rebuild.ImageBuilderImages;
import dev.gantry.core.rebuild.RebuildService;
import dev.gantry.core.rollout.RolloutService;
import dev.gantry.fn.chatops.LocalChatOpsHandlers;
import dev.gantry.fn.ecsdeploy.EcsDeployHandler;
import dev.gantry.fn.ecsdeploy.GateSweepHandler;
import dev.gantry.fn.ecsdeploy.GateSweepNews;
import dev.gantry.fn.ecsdeploy.RolloutHandler;
import dev.gantry.fn.imagerebuild.ImageRebuildHandler;
import dev.gantry.testing.InMemoryAlarmStates;
import dev.gantry.testing.InMemoryBuildRunner;
import dev.gantry.testing.InMemoryChangeCalendars;
import dev.gantry.testing.InMemoryCustomChecks;
import dev.gantry.testing.InMemoryEcsDeployments;
import dev.gantry.testing.InMemoryEcsGateway;
import dev.gantry.testing.InMemoryImageLabels;
import dev.gantry.testing.InMemoryImageRegistry;
import dev.gantry.testing.RecordingPipelineApprovals;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * The functions a release goes through, their real handlers each wired as its own wiring class wires it on Lambda,
 * except that ECS, ECR, CodeBuild, CloudWatch and the other AWS ports are the in-memory implementations the core tests
 * use (kept here, so the run can play AWS's part: finish builds, complete rollouts), and state, queues and secrets are
 * what {@link LocalAws} offers.
 */
final class LocalFunctions {

    static final String SIDECAR_IMAGE = "public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4";
    static final String RUNNING_TAG = "running";

    final InMemoryEcsGateway ecs;
    final InMemoryEcsDeployments ecsDeployments = new InMemoryEcsDeployments();
    final InMemoryBuildRunner builds = new InMemoryBuildRunner();
    final InMemoryImageLabels labels = new InMemoryImageLabels();
    final InMemoryImageRegistry registry = new InMemoryImageRegistry();
    final InMemoryAlarmStates alarms = new InMemoryAlarmStates();

    final RequestStreamHandler imageRebuild;
    final RequestStreamHandler ecsDeploy;
    final RequestStreamHandler rolloutFollow;
    final RequestStreamHandler gateSweep;
    final RequestStreamHandler chatOpsNotify;
    final RequestStreamHandler chatOpsWorker;
    final RequestStreamHandler slackInteractions;

    /** @param slack the Slack Web API the ChatOps functions post to and answer through */
    LocalFunctions(GantryConfig config, LocalAws aws, ChatGateway slack, Clock clock) {
        this.ecs = seededControlPlane(config);
        givenQuietAlarms(config, clock);
        DynamoDbClient dynamo = aws.dynamo();
        String table = aws.table();
        Notifier notifier = aws.notifier();

        this.imageRebuild = new ImageRebuildHandler(rebuildService(config, dynamo, table, clock), imageBuilderNotUsed(), notifier, clock);

        DeployNews deployNews = deployNews(config, dynamo, table, notifier, clock);
        // As EcsDeployWiring: the push's own gate evaluation is told through the deploy's news, not a record listener.
        this.ecsDeploy = new EcsDeployHandler(deployService(config, dynamo, table, gateService(config, dynamo, table, clock), clock), deployNews);
        this.rolloutFollow = new RolloutHandler(new RolloutService(config, ecsDeployments, new DynamoDbReleaseStore(dynamo, table),
                new DynamoDbDeployControls(dynamo, table), clock), deployNews(config, dynamo, table, notifier, clock));

        // As GateSweepWiring: the sweep and the deploy it hands releases to follow the same gate service.
        GateSweepNews sweepNews = new GateSweepNews(deployNews(config, dynamo, table, notifier, clock));
        GateService sweepGates = sweepNews.following(gateService(config, dynamo, table, clock));
        this.gateSweep = new GateSweepHandler(new GateSweepService(sweepGates, deployService(config, dynamo, table, sweepGates, clock)),
                sweepNews);

        this.chatOpsNotify = LocalChatOpsHandlers.notify(config, dynamo, table, slack, clock);
        this.chatOpsWorker = LocalChatOpsHandlers.worker(chatOpsService(config, dynamo, table, notifier, clock), slack);
        this.slackInteractions = aws.slackInteractions();
    }

    /** Every configured environment runs a task definition with the service's image and a log-router sidecar. */
    static InMemoryEcsGateway seededControlPlane(GantryConfig config) {
        InMemoryEcsGateway ecs = new InMemoryEcsGateway();
        for (ServiceConfig service : config.services()) {
            for (EnvironmentConfig env : service.environments()) {
                String image = env.account() + ".dkr.ecr." + env.region() + ".amazonaws.com/" + service.repository() + ":" + RUNNING_TAG;
                List<ContainerImage> containers = new ArrayList<>();
                if (env.containers().isEmpty()) {
                    containers.add(new ContainerImage("app", image));
                } else {
                    env.containers().forEach(name -> containers.add(new ContainerImage(name, image)));
                }
                containers.add(new ContainerImage("log-router", SIDECAR_IMAGE));
                ecs.givenService(EcsServiceRef.of(env), service.name() + "-" + env.name(), containers);
            }
        }
        return ecs;
    }

    /** The alarms the gates watch, each OK since a while: the release meets no firing alarm. */
    private void givenQuietAlarms(GantryConfig config, Clock clock) {
        for (GateConfig gate : config.gates()) {
            if (gate.alarms() != null) {
                gate.alarms().names().forEach(name -> alarms.givenAlarm(name, AlarmStates.State.OK, clock.instant().minusSeconds(3600)));
            }
        }
    }

    private RebuildService rebuildService(GantryConfig config, DynamoDbClient dynamo, String table, Clock clock) {
        return new RebuildService(config, new DynamoDbRebuildLedger(dynamo, table), builds, labels, registry, LocalAws.ACCOUNT,
                LocalAws.REGION, clock, new DynamoDbRevokedBases(dynamo, table), new DynamoDbDeployControls(dynamo, table),
                new DynamoDbLineageHistory(dynamo, table));
    }

    /** The story has no EC2 Image Builder pipeline: a question to it means the run went somewhere it was not meant to. */
    private static ImageBuilderImages imageBuilderNotUsed() {
        return image -> {
            throw new ImageBuilderImages.ImageBuilderException("the local run has no EC2 Image Builder; image " + image.imageArn()
                    + " cannot be read", null);
        };
    }

    private static DeployNews deployNews(GantryConfig config, DynamoDbClient dynamo, String table, Notifier notifier, Clock clock) {
        return new DeployNews(config, new DynamoDbReleaseStore(dynamo, table), notifier, clock);
    }

    /** As GateAdapters builds it, on the in-memory alarms, calendars and custom checks. */
    private GateService gateService(GantryConfig config, DynamoDbClient dynamo, String table, Clock clock) {
        return new GateService(config, new DynamoDbGateStore(dynamo, table), new DynamoDbReleaseStore(dynamo, table), alarms,
                new InMemoryChangeCalendars(), new InMemoryCustomChecks(), ApproverGroups.none(), clock)
                .withManualFreezes(new DynamoDbManualFreezes(dynamo, table))
                .withVetoes(new DynamoDbDeployControls(dynamo, table));
    }

    private DeployService deployService(GantryConfig config, DynamoDbClient dynamo, String table, GateService gates, Clock clock) {
        DeployService deploys = new DeployService(config, ecs, new DynamoDbReleaseStore(dynamo, table), new DynamoDbDeployControls(dynamo, table),
                clock);
        return config.gates().isEmpty() ? deploys : deploys.withGates(gates);
    }

    /** As ChatOpsWiring builds the worker's service, on the in-memory AWS ports. */
    private ChatOpsService chatOpsService(GantryConfig config, DynamoDbClient dynamo, String table, Notifier notifier, Clock clock) {
        DynamoDbReleaseStore releases = new DynamoDbReleaseStore(dynamo, table);
        DynamoDbDeployControls controls = new DynamoDbDeployControls(dynamo, table);
        GateService gates = GateNews.toldThrough(gateService(config, dynamo, table, clock), notifier);
        DeployService deploys = deployService(config, dynamo, table, gates, clock)
                .withReportListener(new DeployNews(config, releases, notifier, clock)::afterDeploy);
        ChatOpsService.Builder builder = ChatOpsService.builder()
                .config(config)
                .clock(clock)
                .groups(ApproverGroups.none())
                .ledger(new DynamoDbChatRequestLedger(dynamo, table))
                .audit(new DynamoDbAuditLog(dynamo, table))
                .deploys(deploys)
                .controls(controls)
                .releases(releases)
                .registry(registry)
                .gates(gates, new DynamoDbGateStore(dynamo, table))
                .freezes(new DynamoDbManualFreezes(dynamo, table))
                .pendingApprovals(new DynamoDbPendingApprovals(dynamo, table))
                .pipelineApprovals(new RecordingPipelineApprovals());
        if (!config.baseImages().isEmpty()) {
            builder.rebuilds(rebuildService(config, dynamo, table, clock));
        }
        return builder.build();
    }
}
