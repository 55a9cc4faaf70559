/**
 * The image-rebuild function: base-image pushes, EC2 Image Builder images, CodeBuild build ends and schedules, handed
 * to the rebuild service in core.
 */
package dev.gantry.fn.imagerebuild;
