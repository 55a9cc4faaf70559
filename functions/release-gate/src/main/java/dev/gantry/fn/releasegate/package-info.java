/**
 * The release-gate functions: a CodePipeline gate action and an ECS deployment lifecycle hook, both
 * answered by the same gate service in core.
 */
package dev.gantry.fn.releasegate;
