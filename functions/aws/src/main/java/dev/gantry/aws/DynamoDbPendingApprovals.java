package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.putInstant;
import static dev.gantry.aws.DynamoDbItems.putText;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;
import static dev.gantry.aws.DynamoDbItems.textList;

import dev.gantry.core.chatops.PendingApproval;
import dev.gantry.core.chatops.ApprovalRequests;
import dev.gantry.core.chatops.PendingApprovals;
import dev.gantry.core.chatops.PipelineApprovalEnded;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.notify.PostingMarker;
import dev.gantry.core.release.ReleaseKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * Pending approvals in Gantry's DynamoDB table (decision 15): one item per approval, {@code pk = APPROVAL#<id>},
 * {@code sk = APPROVAL}. The target is a map ({@code pipeline} or {@code gate}, as {@code kind} says) and the decision a
 * map, readable in the console; instants are ISO-8601 text. The approval's own expiry is {@code approvalExpiresAt},
 * because {@code expiresAt} is the table's TTL attribute: set on create to {@value #RETENTION_DAYS} days after the
 * approval expires, so DynamoDB removes it once no click can need it. The delivery posting the card is
 * {@code postingMarker} and {@code postingAt}, as on a release thread (decision 25). State moves are updates conditional
 * on the state before; a failed condition answers false.
 *
 * <p>A pipeline approval is also listed under its action, in the same transaction as its create:
 * {@code pk = APPROVAL_ACTION#<region>#<pipeline>#<stage>#<action>} (an empty region when the notification named none),
 * {@code sk = <createdAt, nine fraction digits>#<id>} ({@code createdAt}: when CodePipeline asked), holding
 * {@code approvalId} and the approval's TTL, so that the approval an action's "ended" event is about is one Query, newest
 * first, below the event's time. The action's ends are kept beside it, whether or not their approval is known yet:
 * {@code pk = APPROVAL_ACTION_END#<region>#<pipeline>#<stage>#<action>}, {@code sk = <time, nine fraction digits>},
 * holding {@code state} and {@code executionId}, with a TTL as long as an approval asked for just before it could live.
 */
public final class DynamoDbPendingApprovals implements PendingApprovals {

    static final String PARTITION_PREFIX = "APPROVAL#";
    static final String SORT_KEY_VALUE = "APPROVAL";
    static final String TTL_ATTRIBUTE = "expiresAt";
    static final String ACTION_PREFIX = "APPROVAL_ACTION#";
    static final String ACTION_END_PREFIX = "APPROVAL_ACTION_END#";

    /** How long an approval outlives its expiry: long enough to answer a late click, and for people asking who decided. */
    static final int RETENTION_DAYS = 30;
    static final Duration RETENTION = Duration.ofDays(RETENTION_DAYS);

    /** Attempts at a create that collided with another delivery's create of the same approval. */
    private static final int CONFLICT_ATTEMPTS = 5;

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbPendingApprovals(DynamoDbClient dynamo, String table) {
        this.dynamo = Objects.requireNonNull(dynamo, "dynamo");
        this.table = Objects.requireNonNull(table, "table");
    }

    @Override
    public boolean create(PendingApproval approval) {
        if (approval.kind() == PendingApproval.Kind.PIPELINE) {
            List<TransactWriteItem> items = List.of(
                    TransactWriteItem.builder().put(p -> p
                            .tableName(table)
                            .item(item(approval))
                            .conditionExpression("attribute_not_exists(#pk)")
                            .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)))
                            .build(),
                    TransactWriteItem.builder().put(p -> p.tableName(table).item(actionItem(approval))).build());
            return DynamoDbRequests.transact(dynamo, items, "creating pending approval " + approval.id() + " in table " + table, CONFLICT_ATTEMPTS,
                    PendingApprovalsException::new).committed();
        }
        try {
            dynamo.putItem(r -> r
                    .tableName(table)
                    .item(item(approval))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new PendingApprovalsException("creating pending approval " + approval.id() + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<PendingApproval> find(String id) {
        Map<String, AttributeValue> item;
        try {
            item = dynamo.getItem(r -> r.tableName(table).key(key(id)).consistentRead(true)).item();
        } catch (SdkException e) {
            throw new PendingApprovalsException("reading pending approval " + id + " from table " + table + " failed: " + e.getMessage(), e);
        }
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(approval(item));
    }

    @Override
    public Optional<PendingApproval> lastPipelineApprovalBefore(String region, String pipeline, String stage, String action, Instant before) {
        String listed = actionPartition(region, pipeline, stage, action);
        List<Map<String, AttributeValue>> newest;
        try {
            newest = dynamo.query(r -> r
                    .tableName(table)
                    .keyConditionExpression("#pk = :pk AND #sk < :before")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#sk", StateTable.SORT_KEY))
                    .expressionAttributeValues(Map.of(":pk", s(listed), ":before", s(StateTable.sortableInstant(before))))
                    .scanIndexForward(false)
                    .limit(1)
                    .consistentRead(true)).items();
        } catch (SdkException e) {
            throw new PendingApprovalsException("listing the pending approvals of " + pipeline + "/" + stage + "/" + action + " from table "
                    + table + " failed: " + e.getMessage(), e);
        }
        return newest.isEmpty() ? Optional.empty() : find(text(newest.getFirst(), "approvalId"));
    }

    @Override
    public void rememberPipelineApprovalEnd(PipelineApprovalEnded ended) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(StateTable.PARTITION_KEY, s(ACTION_END_PREFIX + actionPath(ended.region(), ended.pipeline(), ended.stage(), ended.action())));
        item.put(StateTable.SORT_KEY, s(StateTable.sortableInstant(ended.at())));
        item.put("state", s(ended.state().name()));
        putText(item, "executionId", ended.executionId());
        // An approval asked for just before this end could be posted, and clicked, until its own expiry and retention.
        item.put(TTL_ATTRIBUTE, n(ended.at().plus(ApprovalRequests.DEFAULT_PIPELINE_EXPIRY).plus(RETENTION).getEpochSecond()));
        try {
            dynamo.putItem(r -> r.tableName(table).item(item));
        } catch (SdkException e) {
            throw new PendingApprovalsException("remembering the end of approval action " + ended.path() + " at " + ended.at() + " in table "
                    + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<PipelineApprovalEnded> firstPipelineApprovalEndAfter(String region, String pipeline, String stage, String action,
            Instant after) {
        List<Map<String, AttributeValue>> first;
        try {
            first = dynamo.query(r -> r
                    .tableName(table)
                    .keyConditionExpression("#pk = :pk AND #sk > :after")
                    .expressionAttributeNames(Map.of("#pk", StateTable.PARTITION_KEY, "#sk", StateTable.SORT_KEY))
                    .expressionAttributeValues(Map.of(":pk", s(ACTION_END_PREFIX + actionPath(region, pipeline, stage, action)),
                            ":after", s(StateTable.sortableInstant(after))))
                    .scanIndexForward(true)
                    .limit(1)
                    .consistentRead(true)).items();
        } catch (SdkException e) {
            throw new PendingApprovalsException("reading the ends of approval action " + pipeline + "/" + stage + "/" + action + " from table "
                    + table + " failed: " + e.getMessage(), e);
        }
        if (first.isEmpty()) {
            return Optional.empty();
        }
        Map<String, AttributeValue> end = first.getFirst();
        return Optional.of(new PipelineApprovalEnded(region, pipeline, stage, action, text(end, "executionId"),
                PipelineApprovalEnded.State.valueOf(text(end, "state")), Instant.parse(text(end, StateTable.SORT_KEY))));
    }

    @Override
    public boolean endPipelineApproval(String id, String outcome) {
        return update(id, "SET #state = :ended, #outcome = :outcome", "#state IN (:pending, :ended)",
                Map.of("#state", "state", "#outcome", "outcome"),
                Map.of(":ended", s(PendingApproval.State.ENDED.name()), ":pending", s(PendingApproval.State.PENDING.name()),
                        ":outcome", s(outcome)),
                "ending");
    }

    @Override
    public void cardPosted(String id, String channelId, String messageTs) {
        boolean updated = update(id, "SET #channelId = :channelId, #messageTs = :messageTs", "attribute_exists(#pk)",
                Map.of("#channelId", "channelId", "#messageTs", "messageTs", "#pk", StateTable.PARTITION_KEY),
                Map.of(":channelId", s(channelId), ":messageTs", s(messageTs)), "recording the card of");
        if (!updated) {
            throw new PendingApprovalsException("no pending approval " + id + " in table " + table, null);
        }
    }

    @Override
    public boolean startPostingCard(String id, PostingMarker seen, PostingMarker marker) {
        Map<String, String> names = new HashMap<>(Map.of("#pk", StateTable.PARTITION_KEY, "#channelId", "channelId",
                "#postingMarker", "postingMarker", "#postingAt", "postingAt"));
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":marker", s(marker.id()), ":at", s(marker.at().toString())));
        String seenCondition = "attribute_not_exists(#postingMarker)";
        if (seen != null) {
            seenCondition = "#postingMarker = :seen";
            values.put(":seen", s(seen.id()));
        }
        return update(id, "SET #postingMarker = :marker, #postingAt = :at",
                "attribute_exists(#pk) AND attribute_not_exists(#channelId) AND " + seenCondition, names, values,
                "recording the delivery posting the card of");
    }

    @Override
    public boolean startDeciding(String id, PendingApproval.Decision decision) {
        // An ENDED approval's outcome is dropped, as the decision's own outcome replaces it.
        return update(id, "SET #state = :deciding, #decision = :decision REMOVE #outcome", "#state IN (:pending, :ended)",
                Map.of("#state", "state", "#decision", "decision", "#outcome", "outcome"),
                Map.of(":deciding", s(PendingApproval.State.DECIDING.name()), ":pending", s(PendingApproval.State.PENDING.name()),
                        ":ended", s(PendingApproval.State.ENDED.name()), ":decision", decision(decision)),
                "starting the decision of");
    }

    @Override
    public boolean endDeciding(String id, String outcome) {
        return update(id, "SET #state = :ended, #outcome = :outcome REMOVE #decision", "#state = :deciding",
                Map.of("#state", "state", "#outcome", "outcome", "#decision", "decision"),
                Map.of(":ended", s(PendingApproval.State.ENDED.name()), ":deciding", s(PendingApproval.State.DECIDING.name()),
                        ":outcome", s(outcome)),
                "ending the refused decision of");
    }

    @Override
    public boolean finishDeciding(String id, String outcome, Instant at) {
        return update(id, "SET #state = :decided, #outcome = :outcome, #decidedAt = :at", "#state = :deciding",
                Map.of("#state", "state", "#outcome", "outcome", "#decidedAt", "decidedAt"),
                Map.of(":decided", s(PendingApproval.State.DECIDED.name()), ":deciding", s(PendingApproval.State.DECIDING.name()),
                        ":outcome", s(outcome), ":at", s(at.toString())),
                "finishing the decision of");
    }

    static Map<String, AttributeValue> key(String id) {
        return Map.of(StateTable.PARTITION_KEY, s(PARTITION_PREFIX + id), StateTable.SORT_KEY, s(SORT_KEY_VALUE));
    }

    static String actionPartition(String region, String pipeline, String stage, String action) {
        return ACTION_PREFIX + actionPath(region, pipeline, stage, action);
    }

    private static String actionPath(String region, String pipeline, String stage, String action) {
        // CodePipeline's names and AWS regions hold no '#', so the parts cannot run into each other.
        return (region == null ? "" : region) + "#" + pipeline + "#" + stage + "#" + action;
    }

    private static Map<String, AttributeValue> actionItem(PendingApproval approval) {
        PendingApproval.PipelineTarget target = approval.pipeline();
        return Map.of(
                StateTable.PARTITION_KEY, s(actionPartition(target.region(), target.pipeline(), target.stage(), target.action())),
                StateTable.SORT_KEY, s(StateTable.sortableInstant(approval.createdAt()) + "#" + approval.id()),
                "approvalId", s(approval.id()),
                TTL_ATTRIBUTE, n(approval.expiresAt().plus(RETENTION).getEpochSecond()));
    }

    /** @return false when the condition failed, which for a missing item it always does */
    private boolean update(String id, String update, String condition, Map<String, String> names, Map<String, AttributeValue> values,
            String what) {
        try {
            dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(id))
                    .updateExpression(update)
                    .conditionExpression(condition)
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new PendingApprovalsException(what + " pending approval " + id + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    private static Map<String, AttributeValue> item(PendingApproval approval) {
        Map<String, AttributeValue> item = new HashMap<>(key(approval.id()));
        item.put("id", s(approval.id()));
        item.put("kind", s(approval.kind().name()));
        if (approval.pipeline() != null) {
            item.put("pipeline", pipeline(approval.pipeline()));
        }
        if (approval.gate() != null) {
            item.put("gate", gate(approval.gate()));
        }
        putInstant(item, "createdAt", approval.createdAt());
        putInstant(item, "approvalExpiresAt", approval.expiresAt());
        putText(item, "channelId", approval.channelId());
        putText(item, "messageTs", approval.messageTs());
        if (approval.postingMarker() != null) {
            item.put("postingMarker", s(approval.postingMarker().id()));
            putInstant(item, "postingAt", approval.postingMarker().at());
        }
        item.put("state", s(approval.state().name()));
        if (approval.decision() != null) {
            item.put("decision", decision(approval.decision()));
        }
        putText(item, "outcome", approval.outcome());
        // DynamoDB's TTL reads epoch seconds.
        item.put(TTL_ATTRIBUTE, n(approval.expiresAt().plus(RETENTION).getEpochSecond()));
        return item;
    }

    private static AttributeValue pipeline(PendingApproval.PipelineTarget target) {
        Map<String, AttributeValue> map = new HashMap<>();
        putText(map, "region", target.region());
        map.put("pipeline", s(target.pipeline()));
        map.put("stage", s(target.stage()));
        map.put("action", s(target.action()));
        map.put("token", s(target.token()));
        putText(map, "reviewLink", target.reviewLink());
        putText(map, "externalLink", target.externalLink());
        putText(map, "instructions", target.instructions());
        return AttributeValue.fromM(map);
    }

    private static AttributeValue gate(PendingApproval.GateTarget target) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("service", s(target.key().service()));
        map.put("environment", s(target.key().environment()));
        map.put("digest", s(target.key().digest().value()));
        map.put("gate", s(target.gate()));
        putText(map, "tag", target.tag());
        map.put("triggeredBy", textList(target.triggeredBy()));
        map.put("changes", textList(target.changes()));
        return AttributeValue.fromM(map);
    }

    private static AttributeValue decision(PendingApproval.Decision decision) {
        Map<String, AttributeValue> map = new HashMap<>();
        map.put("userId", s(decision.userId()));
        map.put("approved", AttributeValue.fromBool(decision.approved()));
        putText(map, "summary", decision.summary());
        putInstant(map, "at", decision.at());
        return AttributeValue.fromM(map);
    }

    private static PendingApproval approval(Map<String, AttributeValue> item) {
        AttributeValue pipeline = item.get("pipeline");
        AttributeValue gate = item.get("gate");
        AttributeValue decision = item.get("decision");
        return new PendingApproval(
                text(item, "id"),
                PendingApproval.Kind.valueOf(text(item, "kind")),
                pipeline == null ? null : pipeline(pipeline.m()),
                gate == null ? null : gate(gate.m()),
                instant(item, "createdAt"),
                instant(item, "approvalExpiresAt"),
                text(item, "channelId"),
                text(item, "messageTs"),
                item.containsKey("postingMarker") ? new PostingMarker(text(item, "postingMarker"), instant(item, "postingAt")) : null,
                PendingApproval.State.valueOf(text(item, "state")),
                decision == null ? null : decision(decision.m()),
                text(item, "outcome"));
    }

    private static PendingApproval.PipelineTarget pipeline(Map<String, AttributeValue> map) {
        return new PendingApproval.PipelineTarget(text(map, "region"), text(map, "pipeline"), text(map, "stage"), text(map, "action"),
                text(map, "token"), text(map, "reviewLink"), text(map, "externalLink"), text(map, "instructions"));
    }

    private static PendingApproval.GateTarget gate(Map<String, AttributeValue> map) {
        ReleaseKey key = new ReleaseKey(text(map, "service"), text(map, "environment"), ImageDigest.parse(text(map, "digest")));
        return new PendingApproval.GateTarget(key, text(map, "gate"), text(map, "tag"), textList(map, "triggeredBy"), textList(map, "changes"));
    }

    private static PendingApproval.Decision decision(Map<String, AttributeValue> map) {
        return new PendingApproval.Decision(text(map, "userId"), map.get("approved").bool(), text(map, "summary"), instant(map, "at"));
    }
}
