package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.release.Release;
import dev.gantry.core.release.ReleaseKey;
import dev.gantry.core.release.ReleaseStatus;
import dev.gantry.core.release.ReleaseStore;
import dev.gantry.core.release.RolloutStatus;
import dev.gantry.core.image.ImageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValuesOnConditionCheckFailure;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Release records in Gantry's DynamoDB table: one item per (service, environment, digest) with
 * {@code pk = RELEASE#<service>#<environment>} and {@code sk = <digest>}, so a service environment's
 * releases are one Query. Every write is conditional; the low-level client is used because the
 * enhanced client's bean introspection costs cold-start time.
 */
public final class DynamoDbReleaseStore implements ReleaseStore {

    /** Environment variable naming the table. */
    public static final String TABLE_ENV = "GANTRY_TABLE";

    private static final String NOT_FINISHED_AND_LEASE_EXPIRED = "#status <> :done AND #leaseUntil < :nowMillis";
    private static final String HELD_BY_OWNER = "#owner = :owner AND #status <> :done";
    /** The record exactly as read: a redeploy claim builds its history line from it, so nothing may have changed since. */
    private static final String FINISHED_AS_READ = "#status = :done AND #eventId = :seenEventId AND #updatedAt = :seenUpdatedAt";
    /**
     * Redeploy claims tried before giving up on a record that keeps changing between read and write; each lost race
     * means another writer moved it on (a rival claim, which the next read finds held, or a rollout recorded).
     */
    private static final int REDEPLOY_ATTEMPTS = 4;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbReleaseStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Claim claim(Release release, Instant now, Duration lease) {
        ReleaseKey key = release.key();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(release.owner()));
        values.put(":lease", n(now.plus(lease).toEpochMilli()));
        values.put(":nowMillis", n(now.toEpochMilli()));
        values.put(":now", s(now.toString()));
        values.put(":claimed", s(ReleaseStatus.CLAIMED.name()));
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":service", s(key.service()));
        values.put(":environment", s(key.environment()));
        values.put(":digest", s(key.digest().value()));
        values.put(":image", s(release.image()));
        values.put(":eventId", s(release.eventId()));
        String pushedAt = "";
        if (release.pushedAt() != null) {
            values.put(":pushedAt", s(release.pushedAt().toString()));
            pushedAt = ", #pushedAt = if_not_exists(#pushedAt, :pushedAt)";
        }
        if (release.tag() != null) {
            values.put(":tag", s(release.tag()));
            pushedAt += ", #tag = if_not_exists(#tag, :tag)";
        }
        String setPushedAt = pushedAt;
        Map<String, String> attributeNames = names("#owner", "#leaseUntil", "#updatedAt", "#status", "#createdAt", "#service",
                "#environment", "#digest", "#image", "#eventId", "#pk");
        if (release.pushedAt() != null) {
            attributeNames.put("#pushedAt", "pushedAt");
        }
        if (release.tag() != null) {
            attributeNames.put("#tag", "tag");
        }
        try {
            // One UpdateItem creates the record or takes over an abandoned one; if_not_exists keeps what an
            // earlier attempt achieved (status, registered revision) so the new owner resumes from there.
            UpdateItemResponse response = dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(key))
                    .updateExpression("SET #owner = :owner, #leaseUntil = :lease, #updatedAt = :now,"
                            + " #status = if_not_exists(#status, :claimed), #createdAt = if_not_exists(#createdAt, :now),"
                            + " #service = if_not_exists(#service, :service), #environment = if_not_exists(#environment, :environment),"
                            + " #digest = if_not_exists(#digest, :digest),"
                            + " #image = if_not_exists(#image, :image), #eventId = if_not_exists(#eventId, :eventId)" + setPushedAt)
                    .conditionExpression("attribute_not_exists(#pk) OR (" + NOT_FINISHED_AND_LEASE_EXPIRED + ")")
                    .expressionAttributeNames(attributeNames)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claim.Granted(release(key, response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            // The refusal should carry the record that refused us; under a burst of concurrent claims DynamoDB Local was
            // seen to return it without its attributes. The record exists either way (that is why the condition failed),
            // so it is read again, and if even that finds nothing readable it is held by whoever just created it.
            Map<String, AttributeValue> refusing = e.hasItem() ? e.item() : Map.of();
            Release existing = refusing.containsKey("status") ? release(key, refusing) : find(key).orElse(release);
            return existing.status() == ReleaseStatus.SERVICE_UPDATED ? new Claim.AlreadyDone(existing) : new Claim.HeldElsewhere(existing);
        } catch (SdkException e) {
            throw new ReleaseStoreException("claiming release " + key.id() + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Claim claimRedeploy(Release release, Instant now, Duration lease) {
        for (int attempt = 0; attempt < REDEPLOY_ATTEMPTS; attempt++) {
            // The ordinary claim first: it creates, resumes or refuses exactly as for a first deploy, and a refusal
            // carries the record as it stands, which is what the redeploy claim is conditioned on.
            Claim claim = claim(release, now, lease);
            if (!(claim instanceof Claim.AlreadyDone done) || !done.release().redeployableFor(release.eventId())) {
                return claim;
            }
            Optional<Release> redeployed = reclaim(done.release(), release, now, lease);
            if (redeployed.isPresent()) {
                return new Claim.Granted(redeployed.get());
            }
        }
        throw new ReleaseStoreException("release " + release.key().id() + " in table " + table + " changed under each of "
                + REDEPLOY_ATTEMPTS + " redeploy claims", null);
    }

    /** Claims a finished release again if it is still as {@code seen}; empty when it changed in between. */
    private Optional<Release> reclaim(Release seen, Release release, Instant now, Duration lease) {
        ReleaseKey key = release.key();
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":seenEventId", s(seen.eventId()));
        values.put(":seenUpdatedAt", s(seen.updatedAt().toString()));
        values.put(":claimed", s(ReleaseStatus.CLAIMED.name()));
        values.put(":eventId", s(release.eventId()));
        values.put(":owner", s(release.owner()));
        values.put(":lease", n(now.plus(lease).toEpochMilli()));
        values.put(":now", s(now.toString()));
        values.put(":none", AttributeValue.fromL(List.of()));
        values.put(":earlier", DynamoDbItems.textList(List.of(seen.deploySummary())));
        try {
            UpdateItemResponse response = dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(key))
                    .updateExpression("SET #status = :claimed, #eventId = :eventId, #owner = :owner, #leaseUntil = :lease,"
                            + " #updatedAt = :now, #redeployedAt = :now,"
                            + " #earlierDeploys = list_append(if_not_exists(#earlierDeploys, :none), :earlier)"
                            + " REMOVE #previous, #arn, #changes, #rolloutStatus, #rolloutReason")
                    .conditionExpression(FINISHED_AS_READ)
                    .expressionAttributeNames(names("#status", "#eventId", "#owner", "#leaseUntil", "#updatedAt", "#redeployedAt",
                            "#earlierDeploys", "#previous", "#arn", "#changes", "#rolloutStatus", "#rolloutReason"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW));
            return Optional.of(release(key, response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        } catch (SdkException e) {
            throw new ReleaseStoreException("claiming release " + key.id() + " again in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void recordRegistered(ReleaseKey key, String owner, String previousTaskDefinitionArn, String taskDefinitionArn,
            List<String> changes, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":registered", s(ReleaseStatus.REGISTERED.name()));
        values.put(":previous", s(previousTaskDefinitionArn));
        values.put(":arn", s(taskDefinitionArn));
        values.put(":changes", AttributeValue.fromL(changes.stream().map(DynamoDbItems::s).toList()));
        values.put(":now", s(now.toString()));
        update(key, owner, "SET #status = :registered, #previous = :previous, #arn = :arn, #changes = :changes, #updatedAt = :now",
                names("#owner", "#status", "#previous", "#arn", "#changes", "#updatedAt"), values);
    }

    @Override
    public void recordServiceUpdated(ReleaseKey key, String owner, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":now", s(now.toString()));
        values.put(":pending", s(RolloutStatus.PENDING.name()));
        update(key, owner, "SET #status = :done, #updatedAt = :now, #rolloutStatus = :pending REMOVE #leaseUntil",
                names("#owner", "#status", "#updatedAt", "#leaseUntil", "#rolloutStatus"), values);
    }

    @Override
    public void abandon(ReleaseKey key, String owner, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":expired", n(now.toEpochMilli() - 1));
        try {
            update(key, owner, "SET #leaseUntil = :expired", names("#owner", "#status", "#leaseUntil"), values);
        } catch (LeaseLostException e) {
            // Someone else owns it now, or it finished: nothing of ours to give up.
        }
    }

    @Override
    public Optional<Release> find(ReleaseKey key) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key(key)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(release(key, item));
        } catch (SdkException e) {
            throw new ReleaseStoreException("reading release " + key.id() + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public List<Release> history(String service, String environment) {
        try {
            List<Release> releases = new ArrayList<>();
            // The paginator follows LastEvaluatedKey: a long-lived environment's history spans pages.
            dynamo.queryPaginator(r -> r.tableName(table)
                            .keyConditionExpression("#pk = :pk")
                            .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY))
                            .expressionAttributeValues(Map.of(":pk", s(partitionKey(service, environment))))
                            .consistentRead(true))
                    .items()
                    .forEach(item -> releases.add(release(new ReleaseKey(service, environment, new ImageDigest(text(item, StateTable.SORT_KEY))), item)));
            releases.sort(Comparator.comparing(Release::enteredAt).thenComparing(Release::updatedAt).reversed());
            return releases;
        } catch (SdkException e) {
            throw new ReleaseStoreException("reading the releases of " + service + "/" + environment + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean recordRollout(ReleaseKey key, RolloutStatus status, String reason, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":done", s(ReleaseStatus.SERVICE_UPDATED.name()));
        values.put(":rollout", s(status.name()));
        values.put(":now", s(now.toString()));
        String expression = "SET #rolloutStatus = :rollout, #updatedAt = :now";
        if (reason != null) {
            values.put(":reason", s(reason));
            expression += ", #rolloutReason = :reason";
        } else {
            expression += " REMOVE #rolloutReason";
        }
        // RolloutStatus.mayReplace, evaluated by DynamoDB so that two events racing cannot undo a final status.
        List<String> replaceable = new ArrayList<>();
        int i = 0;
        for (RolloutStatus current : RolloutStatus.values()) {
            if (status.mayReplace(current)) {
                values.put(":may" + i, s(current.name()));
                replaceable.add(":may" + i++);
            }
        }
        String condition = "#status = :done AND (attribute_not_exists(#rolloutStatus) OR #rolloutStatus IN ("
                + String.join(", ", replaceable) + "))";
        String set = expression;
        try {
            dynamo.updateItem(r -> r.tableName(table).key(key(key))
                    .updateExpression(set)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names("#rolloutStatus", "#updatedAt", "#rolloutReason", "#status"))
                    .expressionAttributeValues(values)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return true;
        } catch (ConditionalCheckFailedException e) {
            if (e.item() != null && ReleaseStatus.SERVICE_UPDATED.name().equals(text(e.item(), "status"))) {
                return false;
            }
            throw new ReleaseStoreException("release " + key.id() + " has not updated its service; no rollout to record", e);
        } catch (SdkException e) {
            throw new ReleaseStoreException("recording the rollout of " + key.id() + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean lockEnvironment(String service, String environment, String owner, Instant now, Duration lease) {
        try {
            dynamo.updateItem(r -> r.tableName(table)
                    .key(lockKey(service, environment))
                    .updateExpression("SET #owner = :owner, #leaseUntil = :until")
                    .conditionExpression("attribute_not_exists(#pk) OR #owner = :owner OR #leaseUntil < :now")
                    .expressionAttributeNames(names("#owner", "#leaseUntil", "#pk"))
                    .expressionAttributeValues(Map.of(
                            ":owner", s(owner),
                            ":until", n(now.plus(lease).toEpochMilli()),
                            ":now", n(now.toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new ReleaseStoreException("locking " + service + "/" + environment + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void unlockEnvironment(String service, String environment, String owner) {
        try {
            // An update rather than a delete: the functions' roles are granted no DeleteItem, and an expired
            // lease is exactly what lockEnvironment treats as free.
            dynamo.updateItem(r -> r.tableName(table)
                    .key(lockKey(service, environment))
                    .updateExpression("SET #leaseUntil = :free")
                    .conditionExpression("#owner = :owner")
                    .expressionAttributeNames(names("#owner", "#leaseUntil"))
                    .expressionAttributeValues(Map.of(":owner", s(owner), ":free", n(0))));
        } catch (ConditionalCheckFailedException e) {
            // Not ours (any more): someone took it over after our lease ran out.
        } catch (SdkException e) {
            throw new ReleaseStoreException("unlocking " + service + "/" + environment + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, AttributeValue> lockKey(String service, String environment) {
        return Map.of(StateTable.PARTITION_KEY, s("LOCK#" + service + "#" + environment), StateTable.SORT_KEY, s("LOCK"));
    }

    private void update(ReleaseKey key, String owner, String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        try {
            dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(key))
                    .updateExpression(expression)
                    .conditionExpression(HELD_BY_OWNER)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException(key, owner);
        } catch (SdkException e) {
            throw new ReleaseStoreException("updating release " + key.id() + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> key(ReleaseKey key) {
        return Map.of(
                StateTable.PARTITION_KEY, s(partitionKey(key.service(), key.environment())),
                StateTable.SORT_KEY, s(key.digest().value()));
    }

    private static String partitionKey(String service, String environment) {
        return "RELEASE#" + service + "#" + environment;
    }

    private static Release release(ReleaseKey key, Map<String, AttributeValue> item) {
        return new Release(
                key,
                text(item, "tag"),
                text(item, "image"),
                text(item, "eventId"),
                ReleaseStatus.valueOf(text(item, "status")),
                text(item, "previousTaskDefinitionArn"),
                text(item, "taskDefinitionArn"),
                item.containsKey("changes") ? item.get("changes").l().stream().map(AttributeValue::s).toList() : List.of(),
                text(item, "owner"),
                item.containsKey("leaseUntil") ? Instant.ofEpochMilli(Long.parseLong(item.get("leaseUntil").n())) : null,
                instant(item, "createdAt"),
                instant(item, "updatedAt"),
                item.containsKey("rolloutStatus") ? RolloutStatus.valueOf(text(item, "rolloutStatus")) : null,
                text(item, "rolloutReason"),
                instant(item, "pushedAt"),
                instant(item, "redeployedAt"),
                DynamoDbItems.textList(item, "earlierDeploys"));
    }

    /** Attribute names all go through placeholders: several (status, owner, environment) are DynamoDB reserved words. */
    private static Map<String, String> names(String... placeholders) {
        Map<String, String> names = new HashMap<>();
        for (String placeholder : placeholders) {
            String attribute = switch (placeholder) {
                case "#previous" -> "previousTaskDefinitionArn";
                case "#arn" -> "taskDefinitionArn";
                default -> placeholder.substring(1);
            };
            names.put(placeholder, attribute);
        }
        return names;
    }
}
