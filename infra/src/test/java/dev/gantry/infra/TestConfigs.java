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

    /** A stand-in for the shaded function jar: the constructs only copy it, never open it. */
    static Path fakeJar(Path dir, String marker) {
        return write(dir, "gantry-ecs-deploy-lambda.jar", "not a real jar: " + marker);
    }
}
