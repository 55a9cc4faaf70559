package dev.gantry.fn.releasegate;

import dev.gantry.testing.LambdaJarContract;
import java.util.Set;

/**
 * The release-gate deployment package. Its budget is what it needs today (41.0 MB) and about a megabyte: not yet the 10 MB goal,
 * which the service modules' size rules out (docs/decisions/0027).
 */
class LambdaJarIT extends LambdaJarContract {

    LambdaJarIT() {
        super("release-gate", 42_000_000L, Set.of("cloudwatch", "codepipeline", "dynamodb", "ecr", "ecs", "lambda", "s3", "secretsmanager", "sqs", "ssm", "sts"), "dev/gantry/fn/releasegate/");
    }
}
