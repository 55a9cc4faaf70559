package dev.gantry.infra;

import dev.gantry.core.config.ConfigLoader;
import dev.gantry.core.config.GantryConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Configurations and stand-in jars for construct tests. */
final class TestConfigs {

    /** The example every part of Gantry is tested against; Maven runs tests from the module directory. */
    static final Path EXAMPLE = Path.of("../examples/gantry.yml");

    /** Two services, one of them in two environments, and no roles to pass. */
    static final String WITHOUT_ROLES = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: orders
                  - name: prod
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: orders
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: billing
            """;

    /**
     * Three environments: staging reached with Gantry's own credentials, the two prod ones through roles in their own
     * accounts.
     */
    static final String WITH_ROLES = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: orders
                    taskRoleArn: arn:aws:iam::222222222222:role/orders-task
                  - name: prod
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: orders
                    taskRoleArn: arn:aws:iam::333333333333:role/orders-task
                    roleArn: arn:aws:iam::333333333333:role/gantry-deployer
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "444444444444"
                    region: us-west-2
                    cluster: main
                    service: billing
                    roleArn: arn:aws:iam::444444444444:role/gantry-deployer
            """;

    /** Every environment reached through a role: Gantry's own roles need no ECS permission at all. */
    static final String ONLY_ROLES = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: prod
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: orders
                    taskRoleArn: arn:aws:iam::333333333333:role/orders-task
                    roleArn: arn:aws:iam::333333333333:role/gantry-deployer
            """;

    /**
     * A gate reading change calendars and custom-check functions, named and by ARN, for a service environment reached
     * with Gantry's own credentials and for one reached through a role; a second gate no environment names, whose
     * alarms and function nobody may read.
     */
    static final String WITH_GATE_CHECKS = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: staging
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: orders
                  - name: prod
                    account: "333333333333"
                    region: us-west-2
                    cluster: main
                    service: orders
                    gate: production
                    roleArn: arn:aws:iam::333333333333:role/gantry-deployer
              - name: billing
                repository: team/billing
                tagPolicy:
                  exact: stable
                environments:
                  - name: prod
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: billing
                    gate: production
            gates:
              - name: production
                freezes:
                  - changeCalendar: release-freeze
                  - changeCalendar: arn:aws:ssm:us-east-1:999999999999:document/shared-freeze
                  - cron: "0 18 * * FRI"
                    duration: 62h
                custom:
                  - name: error-budget
                    lambda: error-budget-check
                  - name: change-ticket
                    lambda: arn:aws:lambda:us-east-1:999999999999:function:change-ticket:live
                  - name: load-test
                    lambda: "444444444444:function:load-test"
                  - name: status-page
                    url: https://status.example.com/gantry
              - name: unused
                alarms:
                  names: [never-read]
                custom:
                  - name: never
                    lambda: never-invoked
            """;

    /** A gate that only needs approvals: nothing to read in CloudWatch, Systems Manager or Lambda. */
    static final String GATE_WITHOUT_READS = """
            version: 1
            services:
              - name: orders
                repository: team/orders
                tagPolicy:
                  glob: "v*"
                environments:
                  - name: prod
                    account: "222222222222"
                    region: us-east-1
                    cluster: main
                    service: orders
                    gate: approved
            gates:
              - name: approved
                approvals:
                  required: 1
                  users: [U0EXAMPLE1]
            """;

    /** Only a base image: nothing for the deploy automation to watch. */
    static final String WITHOUT_SERVICES = """
            version: 1
            baseImages:
              - name: golden
                repository: golden/base
                tag: latest
                dependents:
                  - name: app
                    codebuild: app-image
                    produces: team/app
            """;

    private TestConfigs() {}

    static GantryConfig example() {
        return ConfigLoader.load(EXAMPLE);
    }

    static GantryConfig parse(String yaml) {
        return ConfigLoader.parse(yaml, "test.yml");
    }

    static Path write(Path dir, String name, String content) {
        try {
            return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stand-in for the shaded ecs-deploy jar: the constructs only copy it, never open it. */
    static Path fakeJar(Path dir, String marker) {
        return write(dir, "gantry-ecs-deploy-lambda.jar", "not a real jar: " + marker);
    }

    /** A stand-in for the shaded release-gate jar, which exists only once the module has its handlers. */
    static Path fakeReleaseGateJar(Path dir, String marker) {
        return write(dir, "gantry-release-gate-lambda.jar", "not a real jar: " + marker);
    }
}
