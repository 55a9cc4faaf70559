package dev.gantry.core.notify;

import dev.gantry.core.image.ImageDigest;
import java.util.Locale;
import java.util.Objects;

/**
 * Which Slack thread a piece of news belongs to. The rule is one story, one thread:
 *
 * <ul>
 *   <li>{@link Kind#RELEASE}: a service's image digest. The staging deploy, its rollout, the production gate and the
 *       production deploy all move the same bytes, so they tell one story: {@code (service, digest)}. A tag is not
 *       the key, because a tag can be moved to other bytes.</li>
 *   <li>{@link Kind#REBUILD}: a base image's digest, {@code (base name, base digest)}: every wave of rebuilds that the
 *       new base started, whatever announced it. A grandchild's wave stays in its root base's thread.</li>
 *   <li>{@link Kind#PIPELINE}: a pipeline execution whose image digest is not known (yet): {@code (pipeline,
 *       execution id)}. Once news of the execution names its service and digest, it belongs to that release's
 *       thread instead.</li>
 *   <li>{@link Kind#OPERATIONS}: one of Gantry's own alarms, {@code (alarm name, region)}: the story of Gantry itself
 *       failing and recovering, told in one message per alarm however often it fires. An alarm's name is unique only
 *       within its account and region, and Gantry's alarms live in the region of its stack.</li>
 * </ul>
 *
 * @param kind what story the thread tells
 * @param name the service, the base image's name, the pipeline or the alarm
 * @param id the image digest, the base digest, the execution id or the alarm's region
 */
public record ThreadKey(Kind kind, String name, String id) {

    public enum Kind { RELEASE, REBUILD, PIPELINE, OPERATIONS }

    public ThreadKey {
        Objects.requireNonNull(kind, "kind");
        requireText(name, "name");
        requireText(id, "id");
    }

    public static ThreadKey release(String service, ImageDigest digest) {
        return new ThreadKey(Kind.RELEASE, service, digest.value());
    }

    public static ThreadKey rebuild(String baseName, ImageDigest baseDigest) {
        return new ThreadKey(Kind.REBUILD, baseName, baseDigest.value());
    }

    public static ThreadKey pipeline(String pipeline, String executionId) {
        return new ThreadKey(Kind.PIPELINE, pipeline, executionId);
    }

    public static ThreadKey operations(String alarmName, String region) {
        return new ThreadKey(Kind.OPERATIONS, alarmName, region);
    }

    /** As people read it in logs: {@code release payments-api 07348c117739}. */
    public String describe() {
        return kind.name().toLowerCase(Locale.ROOT) + " " + name + " " + shortId();
    }

    /** The digest's first 12 hex digits, the execution id's first 8 characters, or the whole region. */
    public String shortId() {
        if (kind == Kind.OPERATIONS) {
            return id;
        }
        if (id.startsWith("sha256:")) {
            return id.substring(7, Math.min(id.length(), 19));
        }
        return id.length() <= 8 ? id : id.substring(0, 8);
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a thread key needs a " + what);
        }
    }
}
