package dev.gantry.aws;

import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * ECS on a WireMock server serving the example configuration's staging payments-api as a deploy finds it: the service
 * running revision 41 of its task definition (an app container and a log router), and the answers to registering
 * revision 42 and updating the service to it. The fresh-JVM tests of every function that deploys use it.
 */
public final class StagingPaymentsApiWire {

    public static final String REGISTRY = "111111111111.dkr.ecr.eu-west-1.amazonaws.com";
    public static final String RUNNING_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:41";
    public static final String NEW_ARN = "arn:aws:ecs:eu-west-1:111111111111:task-definition/payments-api-staging:42";

    private StagingPaymentsApiWire() {}

    public static void serve(WireMockServer ecs) {
        ecs.stubFor(EcsWire.operation("DescribeServices").willReturn(EcsWire.json("""
                {"services":[{"serviceName":"payments-api","clusterArn":"arn:aws:ecs:eu-west-1:111111111111:cluster/staging",
                  "status":"ACTIVE","taskDefinition":"%s",
                  "deployments":[{"status":"PRIMARY","taskDefinition":"%s"}]}],"failures":[]}""".formatted(RUNNING_ARN, RUNNING_ARN))));
        ecs.stubFor(EcsWire.operation("DescribeTaskDefinition").willReturn(EcsWire.json("""
                {"taskDefinition":{"taskDefinitionArn":"%s","family":"payments-api-staging","revision":41,"status":"ACTIVE",
                  "taskRoleArn":"arn:aws:iam::111111111111:role/payments-api-task",
                  "executionRoleArn":"arn:aws:iam::111111111111:role/ecs-task-execution",
                  "networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"compatibilities":["EC2","FARGATE"],
                  "cpu":"512","memory":"1024","registeredAt":1.7E9,
                  "containerDefinitions":[
                    {"name":"app","image":"%s/payments-api:1.3.0","essential":true,
                     "portMappings":[{"containerPort":8080,"protocol":"tcp"}],
                     "environment":[{"name":"SPRING_PROFILES_ACTIVE","value":"staging"}]},
                    {"name":"log-router","image":"public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.4","essential":false,
                     "firelensConfiguration":{"type":"fluentbit"}}]},
                 "tags":[{"key":"service","value":"payments-api"}]}""".formatted(RUNNING_ARN, REGISTRY))));
        ecs.stubFor(EcsWire.operation("RegisterTaskDefinition").willReturn(EcsWire.json(
                "{\"taskDefinition\":{\"taskDefinitionArn\":\"" + NEW_ARN + "\",\"revision\":42}}")));
        ecs.stubFor(EcsWire.operation("UpdateService").willReturn(EcsWire.json(
                "{\"service\":{\"serviceName\":\"payments-api\",\"taskDefinition\":\"" + NEW_ARN + "\"}}")));
    }
}
