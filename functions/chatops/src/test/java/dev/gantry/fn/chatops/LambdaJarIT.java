package dev.gantry.fn.chatops;

import dev.gantry.testing.LambdaJarContract;
import java.util.Set;

/**
 * The chatops deployment package. Its budget is what it needs today (40.7 MB) and about a megabyte: not yet the 10 MB goal,
 * which the service modules' size rules out (docs/decisions/0027).
 */
class LambdaJarIT extends LambdaJarContract {

    LambdaJarIT() {
        super("chatops", 42_000_000L, Set.of("cloudwatch", "codebuild", "codepipeline", "dynamodb", "ecr", "ecs",
                "lambda", "secretsmanager", "sqs", "ssm", "sts"), "dev/gantry/fn/chatops/");
    }
}
