package dev.gantry.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.assertions.Template;

/**
 * What every Gantry function runs with and how everything that invokes one reaches it, walked over all of Gantry with
 * every kind of trigger: the example configuration plus a scheduled base built by Image Builder, ChatOps and a release
 * pipeline (a golden-image pipeline invokes no function). A function or a trigger added later is held to the same rules
 * without a test of its own.
 */
class FunctionPostureTest {

    /** Every function the constructs create, by handler: the walk below must see all of them. */
    private static final Set<String> HANDLERS = Set.of(
            EcsDeployAutomation.HANDLER,
            EcsDeployAutomation.PIPELINE_DEPLOY_HANDLER,
            EcsDeployAutomation.ROLLOUT_FOLLOW_HANDLER,
            EcsDeployAutomation.GATE_SWEEP_HANDLER,
            ReleaseGates.PIPELINE_GATE_HANDLER,
            ReleaseGates.ECS_GATE_HOOK_HANDLER,
            ImageRebuildAutomation.HANDLER,
            ChatOps.INTERACTIONS_HANDLER,
            ChatOps.WORKER_HANDLER,
            ChatOps.NOTIFY_HANDLER);

    /**
     * The logical ids of the functions and of the stateful resources beside them, as deployed before the functions were
     * published behind aliases. A new logical id replaces the resource: the table and the queues would lose their items
     * and messages, the log groups their history. If one goes missing, undo the change; a resource of these types that
     * is new is added here.
     */
    private static final Map<String, String> PINNED_LOGICAL_IDS = Map.ofEntries(
            Map.entry("ChatOpsInteractions841E54EB", "AWS::Lambda::Function"),
            Map.entry("ChatOpsNotify8374EFE7", "AWS::Lambda::Function"),
            Map.entry("ChatOpsWorkerC8B5093F", "AWS::Lambda::Function"),
            Map.entry("EcsDeployFEAC3EB0", "AWS::Lambda::Function"),
            Map.entry("EcsDeployGateSweepDEAB63F3", "AWS::Lambda::Function"),
            Map.entry("EcsDeployPipelineDeploy8666663C", "AWS::Lambda::Function"),
            Map.entry("EcsDeployRolloutFollowD1CE88D0", "AWS::Lambda::Function"),
            Map.entry("ImageRebuild3DBD89A3", "AWS::Lambda::Function"),
            Map.entry("ReleaseGatesEcsGateHook706CEA40", "AWS::Lambda::Function"),
            Map.entry("ReleaseGatesPipelineGate955F869C", "AWS::Lambda::Function"),
            Map.entry("ChatOpsInteractionsLogGroup30C3FAC4", "AWS::Logs::LogGroup"),
            Map.entry("ChatOpsNotifyLogGroup2D35AD2E", "AWS::Logs::LogGroup"),
            Map.entry("ChatOpsWorkerLogGroup60CC9B65", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployGateSweepLogGroupF758F3AF", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployLogGroup82583B6F", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployPipelineDeployLogGroup3FAC513B", "AWS::Logs::LogGroup"),
            Map.entry("EcsDeployRolloutFollowLogGroupA19EF270", "AWS::Logs::LogGroup"),
            Map.entry("ImageRebuildLogGroup86920F77", "AWS::Logs::LogGroup"),
            Map.entry("ReleaseGatesEcsGateHookLogGroup574A4E59", "AWS::Logs::LogGroup"),
            Map.entry("ReleaseGatesPipelineGateLogGroupC6E65AE2", "AWS::Logs::LogGroup"),
            Map.entry("ReleasePipelinepaymentsapiBuildLogGroupED901CBE", "AWS::Logs::LogGroup"),
            Map.entry("ChatOpsEventDeadLetterQueueC027105F", "AWS::SQS::Queue"),
            Map.entry("ChatOpsEventQueue763B0280", "AWS::SQS::Queue"),
            Map.entry("ChatOpsNotifyDeadLetterQueue4370487C", "AWS::SQS::Queue"),
            Map.entry("ChatOpsNotifyQueue2790AC8B", "AWS::SQS::Queue"),
            Map.entry("ChatOpsRequestDeadLetterQueue9D379B37", "AWS::SQS::Queue"),
            Map.entry("ChatOpsRequestQueueAD419511", "AWS::SQS::Queue"),
            Map.entry("EcsDeployDeliveryDeadLetterQueueE5805E7A", "AWS::SQS::Queue"),
            Map.entry("EcsDeployFailedInvocationQueue3F1D8DE7", "AWS::SQS::Queue"),
            Map.entry("StateEEDB6EBF", "AWS::DynamoDB::Table"));

    @TempDir
    static Path workDir;

    private static TemplateJson json;
    /** Each function's logical id, by the logical id of its alias. */
    private static Map<String, String> functionByAlias;

    @BeforeAll
    static void synthesizeEveryConstruct() {
        json = new TemplateJson(Template.fromStack(everyConstruct(workDir)));
        functionByAlias = json.resources("AWS::Lambda::Alias").entrySet().stream().collect(Collectors.toMap(
                Map.Entry::getKey, alias -> ref(TemplateJson.properties(alias.getValue()).get("FunctionName"))));
    }

    @Test
    void theStackHoldsEveryGantryFunction() {
        assertThat(functions().values()).extracting(f -> f.get("Handler")).containsExactlyInAnyOrderElementsOf(HANDLERS);
    }

    @Test
    void everyFunctionRunsOnJava25OnArm64WithSnapStartOnPublishedVersions() {
        assertThat(functions()).allSatisfy((id, function) -> assertThat(function).as(id)
                .containsEntry("Runtime", "java25")
                .containsEntry("Architectures", List.of("arm64"))
                .containsEntry("SnapStart", Map.of("ApplyOn", "PublishedVersions")));
    }

    @Test
    void everyFunctionLogsJsonToItsOwnLogGroupAtInfoWithLambdasOwnLinesAtWarn() {
        Set<Object> logGroups = json.resources("AWS::Logs::LogGroup").keySet().stream()
                .map(id -> Map.of("Ref", id))
                .collect(Collectors.toSet());

        assertThat(functions()).allSatisfy((id, function) -> {
            Map<String, Object> logging = TemplateJson.map(function.get("LoggingConfig"));
            assertThat(logging).as(id).containsOnlyKeys("LogFormat", "ApplicationLogLevel", "SystemLogLevel", "LogGroup")
                    .containsEntry("LogFormat", "JSON")
                    .containsEntry("ApplicationLogLevel", "INFO")
                    .containsEntry("SystemLogLevel", "WARN");
            assertThat(logGroups).as(id).contains(logging.get("LogGroup"));
        });
        assertThat(functions().values()).extracting(f -> TemplateJson.map(f.get("LoggingConfig")).get("LogGroup")).doesNotHaveDuplicates();
    }

    @Test
    void theLogLevelIsSetOnLambdaOnlySoPowertoolsFollowsWhatLambdaFilters() {
        assertThat(functions()).allSatisfy((id, function) -> assertThat(environment(function)).as(id)
                .doesNotContainKey("POWERTOOLS_LOG_LEVEL")
                .containsKey("POWERTOOLS_SERVICE_NAME"));
    }

    @Test
    void everyFunctionIsTracedAndMaySendItsTraces() {
        assertThat(functions()).allSatisfy((id, function) -> assertThat(function).as(id)
                .containsEntry("TracingConfig", Map.of("Mode", "Active")));
        assertThat(json.statementsAllowing("xray:PutTraceSegments")).hasSize(HANDLERS.size()).allSatisfy(statement -> {
            assertThat(statement.actions()).containsExactlyInAnyOrder("xray:PutTraceSegments", "xray:PutTelemetryRecords");
            // X-Ray's write actions have no resource-level permissions.
            assertThat(statement.resources()).containsExactly("*");
        });
    }

    @Test
    void everyGantryFunctionButSlackInteractionsHasTheDefaultMemory() {
        assertThat(functions().values()).filteredOn(f -> !ChatOps.INTERACTIONS_HANDLER.equals(f.get("Handler")))
                .hasSize(HANDLERS.size() - 1)
                .allSatisfy(f -> assertThat(f).containsEntry("MemorySize", GantryFunctionProps.DEFAULT_MEMORY_MB));
        assertThat(functions().values()).filteredOn(f -> ChatOps.INTERACTIONS_HANDLER.equals(f.get("Handler")))
                .singleElement().satisfies(f -> assertThat(f).containsEntry("MemorySize", ChatOpsProps.DEFAULT_INTERACTIONS_MEMORY_MB));
    }

    @Test
    void everyFunctionButSlackInteractionsReadsGantryYmlFromItsPackageAndSlackInteractionsHasAPackageOfItsOwn() {
        String interactions = functionWithHandler(ChatOps.INTERACTIONS_HANDLER);
        Map<String, Object> codeByFunction = functions().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, f -> TemplateJson.map(f.getValue().get("Code")).get("S3Key")));

        assertThat(functions()).allSatisfy((id, function) -> {
            if (id.equals(interactions)) {
                assertThat(environment(function)).as(id).doesNotContainKey("GANTRY_CONFIG");
            } else {
                assertThat(environment(function)).as(id).containsEntry("GANTRY_CONFIG", FunctionPackage.CONFIG_PATH);
            }
        });
        assertThat(codeByFunction).allSatisfy((id, code) -> assertThat(code.equals(codeByFunction.get(interactions)))
                .as(id).isEqualTo(id.equals(interactions)));
    }

    @Test
    void everyFunctionIsPublishedBehindOneLiveAliasAndReplacedVersionsAreDeleted() {
        Map<String, Map<String, Object>> versions = json.resources("AWS::Lambda::Version");

        assertThat(versions).hasSize(HANDLERS.size());
        assertThat(functionByAlias.values()).containsExactlyInAnyOrderElementsOf(functions().keySet());
        json.resources("AWS::Lambda::Alias").forEach((aliasId, alias) -> {
            Map<String, Object> properties = TemplateJson.properties(alias);
            String versionId = TemplateJson.list(TemplateJson.map(properties.get("FunctionVersion")).get("Fn::GetAtt")).get(0).toString();
            assertThat(properties).as(aliasId)
                    .containsEntry("Name", "live")
                    .containsEntry("FunctionVersion", Map.of("Fn::GetAtt", List.of(versionId, "Version")));
            assertThat(versions).as(aliasId).containsKey(versionId);
            Map<String, Object> version = versions.get(versionId);
            assertThat(TemplateJson.properties(version).get("FunctionName")).as(versionId)
                    .isEqualTo(Map.of("Ref", functionByAlias.get(aliasId)));
            assertThat(version).as(versionId).containsEntry("DeletionPolicy", "Delete").containsEntry("UpdateReplacePolicy", "Delete");
        });
    }

    @Test
    void asynchronousInvocationSettingsAreOnTheLiveAliasWhereInvocationsArrive() {
        Map<String, Map<String, Object>> configs = json.resources("AWS::Lambda::EventInvokeConfig");

        // slack-interactions is only ever invoked synchronously, through its URL.
        assertThat(configs).hasSize(HANDLERS.size() - 1);
        assertThat(configs.values()).extracting(TemplateJson::properties).allSatisfy(config -> {
            // The qualifier is the last part of the alias's ARN, "live".
            String alias = aliasBehind(config.get("Qualifier"));
            assertThat(config.get("Qualifier")).isEqualTo(TemplateJson.qualifierOf(alias));
            assertThat(config.get("FunctionName")).isEqualTo(Map.of("Ref", functionByAlias.get(alias)));
            assertThat(config).containsEntry("MaximumEventAgeInSeconds", GantryFunction.MAX_EVENT_AGE_HOURS * 3600)
                    .containsKey("DestinationConfig");
        });
        assertThat(configs.values()).extracting(c -> aliasBehind(TemplateJson.properties(c).get("Qualifier"))).doesNotHaveDuplicates();
    }

    @Test
    void everyRuleTargetsALiveAliasAPipelineOrTheQueueChatOpsNotifyReads() {
        String eventQueue = json.idOf("AWS::SQS::Queue", "ChatOpsEventQueue");
        List<Object> targets = json.resources("AWS::Events::Rule").values().stream()
                .flatMap(rule -> TemplateJson.list(TemplateJson.properties(rule).get("Targets")).stream())
                .map(target -> TemplateJson.map(target).get("Arn"))
                .toList();

        assertThat(targets).isNotEmpty().allSatisfy(arn -> assertThat(isAlias(arn) || TemplateJson.render(arn).contains(":codepipeline:")
                        || Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")).equals(arn))
                .as(arn.toString()).isTrue());
        assertThat(targets).filteredOn(FunctionPostureTest::isAlias).extracting(FunctionPostureTest::ref).map(functionByAlias::get)
                .containsAll(List.of(
                        functionWithHandler(EcsDeployAutomation.HANDLER),
                        functionWithHandler(EcsDeployAutomation.ROLLOUT_FOLLOW_HANDLER),
                        functionWithHandler(EcsDeployAutomation.GATE_SWEEP_HANDLER),
                        functionWithHandler(ImageRebuildAutomation.HANDLER)))
                .doesNotContain(functionWithHandler(ChatOps.NOTIFY_HANDLER));
        assertThat(targets).contains(Map.of("Fn::GetAtt", List.of(eventQueue, "Arn")));
    }

    @Test
    void everyInvokePermissionIsOnALiveAlias() {
        Map<String, Map<String, Object>> permissions = json.resources("AWS::Lambda::Permission");

        // Each kind of caller that needs a resource policy: the rules and the public URL.
        assertThat(permissions.values()).extracting(TemplateJson::properties).extracting(p -> p.get("Principal"))
                .contains("events.amazonaws.com", "*");
        assertThat(permissions).allSatisfy((id, permission) -> assertThat(isAlias(TemplateJson.properties(permission).get("FunctionName")))
                .as(id).isTrue());
    }

    @Test
    void queuesFeedTheLiveAliases() {
        Map<String, Map<String, Object>> mappings = json.resources("AWS::Lambda::EventSourceMapping");

        assertThat(mappings.values()).extracting(TemplateJson::properties).extracting(m -> m.get("FunctionName"))
                .hasSize(3)
                .allSatisfy(name -> assertThat(name).isEqualTo(TemplateJson.qualifiedNameOf(aliasBehind(name), "live")))
                .extracting(FunctionPostureTest::aliasBehind).map(functionByAlias::get)
                .containsExactlyInAnyOrder(functionWithHandler(ChatOps.WORKER_HANDLER), functionWithHandler(ChatOps.NOTIFY_HANDLER),
                        functionWithHandler(ChatOps.NOTIFY_HANDLER));
    }

    @Test
    void theApprovalTopicDeliversToAQueueTheLiveAliasOfChatOpsNotifyReads() {
        Object endpoint = json.resources("AWS::SNS::Subscription").values().stream().map(TemplateJson::properties)
                .filter(s -> "sqs".equals(s.get("Protocol")))
                .map(s -> s.get("Endpoint"))
                .reduce((a, b) -> {
                    throw new AssertionError("more than one queue subscribed: " + a + ", " + b);
                })
                .orElseThrow();

        assertThat(json.resources("AWS::SNS::Subscription").values()).extracting(TemplateJson::properties)
                .noneMatch(s -> "lambda".equals(s.get("Protocol")));
        assertThat(json.resources("AWS::Lambda::EventSourceMapping").values()).extracting(TemplateJson::properties)
                .filteredOn(m -> endpoint.equals(m.get("EventSourceArn")))
                .singleElement().satisfies(m -> assertThat(functionByAlias.get(aliasBehind(m.get("FunctionName"))))
                        .isEqualTo(functionWithHandler(ChatOps.NOTIFY_HANDLER)));
    }

    @Test
    void schedulesInvokeTheLiveAlias() {
        assertThat(json.resources("AWS::Scheduler::Schedule")).isNotEmpty().allSatisfy((id, schedule) -> {
            Object arn = TemplateJson.map(TemplateJson.properties(schedule).get("Target")).get("Arn");
            assertThat(functionByAlias.get(ref(arn))).as(id).isEqualTo(functionWithHandler(ImageRebuildAutomation.HANDLER));
        });
    }

    @Test
    void theFunctionUrlIsOnTheLiveAliasOfSlackInteractions() {
        assertThat(json.resources("AWS::Lambda::Url").values()).extracting(TemplateJson::properties).singleElement().satisfies(url -> {
            assertThat(url).containsEntry("Qualifier", "live").containsEntry("AuthType", "NONE");
            assertThat(url.get("TargetFunctionArn"))
                    .isEqualTo(Map.of("Fn::GetAtt", List.of(functionWithHandler(ChatOps.INTERACTIONS_HANDLER), "Arn")));
        });
    }

    @Test
    void pipelineInvokeActionsCallALiveAliasByItsQualifiedName() {
        List<Map<String, Object>> invokes = json.resources("AWS::CodePipeline::Pipeline").values().stream()
                .flatMap(pipeline -> TemplateJson.list(TemplateJson.properties(pipeline).get("Stages")).stream())
                .flatMap(stage -> TemplateJson.list(TemplateJson.map(stage).get("Actions")).stream())
                .map(TemplateJson::map)
                .filter(action -> "Lambda".equals(TemplateJson.map(action.get("ActionTypeId")).get("Provider")))
                .toList();

        // Deploy to staging, the prod gate, deploy to prod.
        assertThat(invokes).extracting(action -> TemplateJson.map(action.get("Configuration")).get("FunctionName"))
                .allSatisfy(name -> assertThat(name).isEqualTo(TemplateJson.qualifiedNameOf(aliasBehind(name), "live")))
                .extracting(FunctionPostureTest::aliasBehind).map(functionByAlias::get)
                .containsExactly(
                        functionWithHandler(EcsDeployAutomation.PIPELINE_DEPLOY_HANDLER),
                        functionWithHandler(ReleaseGates.PIPELINE_GATE_HANDLER),
                        functionWithHandler(EcsDeployAutomation.PIPELINE_DEPLOY_HANDLER));
    }

    @Test
    void noRoleMayInvokeAGantryFunctionExceptThroughItsLiveAlias() {
        List<TemplateJson.Statement> invokes = json.identityStatements().stream()
                .filter(s -> s.actions().stream().anyMatch(a -> a.startsWith("lambda:Invoke")))
                .toList();
        Set<String> aliasArns = functionByAlias.keySet().stream().map(id -> "${" + id + "}").collect(Collectors.toSet());

        // The scheduler, the ECS hook and the three pipeline actions; the example's gates call no custom-check function.
        assertThat(invokes).hasSize(5).allSatisfy(statement -> {
            assertThat(statement.actions()).containsExactly("lambda:InvokeFunction");
            assertThat(statement.resources()).isNotEmpty().allSatisfy(resource -> assertThat(aliasArns).as(resource).contains(resource));
        });
    }

    @Test
    void functionsAndStatefulResourcesKeepTheLogicalIdsTheyHad() {
        PINNED_LOGICAL_IDS.forEach((id, type) -> assertThat(json.resources(type)).as(type).containsKey(id));
        for (String type : Set.of("AWS::Lambda::Function", "AWS::Logs::LogGroup", "AWS::SQS::Queue", "AWS::DynamoDB::Table")) {
            assertThat(json.resources(type).keySet()).as(type).allSatisfy(id -> assertThat(PINNED_LOGICAL_IDS).containsEntry(id, type));
        }
    }

    /**
     * All of Gantry as its own stack adds it ({@link GantryAutomation} under {@code Default}, so the logical ids are the
     * deployed ones), with every function and every kind of trigger: deploys, gates, rebuilds with a scheduled Image
     * Builder base, a release pipeline, and ChatOps.
     */
    private static Stack everyConstruct(Path dir) {
        Path configFile = scheduledImageBuilderBase(dir);
        Stack stack = new Stack(new App(AppProps.builder().outdir(dir.resolve("cdk.out").toString()).build()), "Gantry");
        new GantryAutomation(stack, "Default", GantryAutomationProps.builder()
                .config(TestConfigs.parse(read(configFile)))
                .configFile(configFile)
                .ecsDeployJar(TestConfigs.fakeJar(mkdir(dir, "ecs-deploy"), "posture"))
                .releaseGateJar(TestConfigs.fakeReleaseGateJar(mkdir(dir, "release-gate"), "posture"))
                .imageRebuildJar(TestConfigs.write(mkdir(dir, "image-rebuild"), ImageRebuildAutomation.JAR_NAME, "not a real jar: posture"))
                .chatOpsJar(ChatOpsTest.fakeChatOpsJar(mkdir(dir, "chatops")))
                .slackInteractionsJar(ChatOpsTest.fakeSlackInteractionsJar(mkdir(dir, "slack-interactions")))
                .slackSigningSecretArn(ChatOpsTest.SIGNING_SECRET)
                .slackBotTokenSecretArn(ChatOpsTest.BOT_TOKEN_SECRET)
                .releasePipelines(List.of("payments-api"))
                .build());
        return stack;
    }

    /** The example with its golden image built by an Image Builder pipeline and rebuilt weekly: a schedule and one more rule. */
    private static Path scheduledImageBuilderBase(Path dir) {
        String example = read(TestConfigs.EXAMPLE);
        String golden = "    repository: golden/java21\n    tag: latest\n";
        assertThat(example).contains(golden);
        return TestConfigs.write(mkdir(dir, "config"), "gantry.yml", example.replace(golden, golden + """
                    schedule:
                      cron: "0 3 * * 1"
                      timezone: Europe/Berlin
                    imageBuilderPipelines:
                      - arn:aws:imagebuilder:eu-west-1:111111111111:image-pipeline/golden-java21
                """));
    }

    private static Map<String, Map<String, Object>> functions() {
        return json.resources("AWS::Lambda::Function").entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, f -> TemplateJson.properties(f.getValue())));
    }

    private static String functionWithHandler(String handler) {
        return functions().entrySet().stream().filter(f -> handler.equals(f.getValue().get("Handler"))).map(Map.Entry::getKey)
                .collect(Collectors.collectingAndThen(Collectors.toList(), ids -> {
                    assertThat(ids).as(handler).hasSize(1);
                    return ids.get(0);
                }));
    }

    private static Map<String, Object> environment(Map<String, Object> function) {
        return TemplateJson.map(TemplateJson.map(function.get("Environment")).get("Variables"));
    }

    /** Whether a value names an alias: {@code Ref} of an alias is its ARN, which the services invoke. */
    private static boolean isAlias(Object value) {
        return value instanceof Map<?, ?> map && map.size() == 1 && functionByAlias.containsKey(map.get("Ref"));
    }

    /**
     * The alias a value is taken from, failing when it refers to anything else: its ARN ({@code Ref}), or the name or
     * qualifier the CDK cuts out of that ARN.
     */
    private static String aliasBehind(Object value) {
        List<Object> refs = refsIn(value);
        assertThat(refs).as(String.valueOf(value)).singleElement().satisfies(ref -> assertThat(functionByAlias).containsKey((String) ref));
        return (String) refs.get(0);
    }

    private static List<Object> refsIn(Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream()
                    .flatMap(e -> "Ref".equals(e.getKey()) ? Stream.of(e.getValue()) : refsIn(e.getValue()).stream())
                    .toList();
        }
        if (value instanceof List<?> list) {
            return list.stream().flatMap(v -> refsIn(v).stream()).toList();
        }
        return List.of();
    }

    private static String ref(Object value) {
        return (String) TemplateJson.map(value).get("Ref");
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path mkdir(Path parent, String name) {
        try {
            return Files.createDirectories(parent.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
