package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.n;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.pipeline.JobFailureType;
import dev.gantry.core.pipeline.JobLedger;
import dev.gantry.core.pipeline.JobRecord;
import dev.gantry.core.pipeline.JobResult;
import dev.gantry.core.pipeline.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
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
 * Pipeline job records in Gantry's DynamoDB table: one item per job, {@code pk = JOB#<jobId>},
 * {@code sk = JOB}. Every write is conditional; each write sets {@code expiresAt} so DynamoDB's TTL
 * removes the record {@value #RETENTION_DAYS} days later.
 */
public final class DynamoDbJobLedger implements JobLedger {

    /**
     * How long a job record is kept. A job id is never reused and its invocation is redelivered within
     * hours at most (Lambda keeps an event for retries for 6 hours), so the record has done its work long
     * before; a month more keeps it for the people asking what happened to last week's pipeline run,
     * without the table growing by one item per pipeline run forever.
     */
    static final int RETENTION_DAYS = 30;
    static final Duration RETENTION = Duration.ofDays(RETENTION_DAYS);
    static final String SORT_KEY_VALUE = "JOB";
    static final String TTL_ATTRIBUTE = "expiresAt";

    private static final String NOT_COMPLETED_AND_LEASE_EXPIRED = "#status <> :completed AND #leaseUntil < :nowMillis";
    private static final String HELD_BY_OWNER = "#owner = :owner AND #status <> :completed";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbJobLedger(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public Claim claim(String jobId, String owner, Instant now, Duration lease) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":lease", n(now.plus(lease).toEpochMilli()));
        values.put(":nowMillis", n(now.toEpochMilli()));
        values.put(":now", s(now.toString()));
        values.put(":claimed", s(JobStatus.CLAIMED.name()));
        values.put(":completed", s(JobStatus.COMPLETED.name()));
        values.put(":jobId", s(jobId));
        values.put(":expiresAt", n(expiry(now)));
        try {
            // One UpdateItem creates the record or takes over one whose invocation died.
            UpdateItemResponse response = dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(jobId))
                    .updateExpression("SET #owner = :owner, #leaseUntil = :lease, #updatedAt = :now, #status = :claimed,"
                            + " #jobId = if_not_exists(#jobId, :jobId), #createdAt = if_not_exists(#createdAt, :now),"
                            + " #expiresAt = :expiresAt")
                    .conditionExpression("attribute_not_exists(#pk) OR (" + NOT_COMPLETED_AND_LEASE_EXPIRED + ")")
                    .expressionAttributeNames(names("#owner", "#leaseUntil", "#updatedAt", "#status", "#jobId", "#createdAt", "#expiresAt",
                            "#pk"))
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .returnValuesOnConditionCheckFailure(ReturnValuesOnConditionCheckFailure.ALL_OLD));
            return new Claim.Granted(job(jobId, response.attributes()));
        } catch (ConditionalCheckFailedException e) {
            JobRecord existing = job(jobId, e.item());
            return existing.status() == JobStatus.COMPLETED ? new Claim.AlreadyDone(existing) : new Claim.HeldElsewhere(existing);
        } catch (SdkException e) {
            throw new JobLedgerException("claiming pipeline job " + jobId + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void complete(String jobId, String owner, JobResult result, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":completed", s(JobStatus.COMPLETED.name()));
        values.put(":now", s(now.toString()));
        values.put(":expiresAt", n(expiry(now)));
        values.put(":result", s(resultName(result)));
        values.put(":message", s(result.message()));
        String expression = "SET #status = :completed, #updatedAt = :now, #expiresAt = :expiresAt, #result = :result, #message = :message";
        if (result instanceof JobResult.Failed failed) {
            values.put(":failureType", s(failed.type().name()));
            expression += ", #failureType = :failureType REMOVE #leaseUntil, #continuationToken";
        } else if (result instanceof JobResult.Continued continued) {
            values.put(":continuationToken", s(continued.continuationToken()));
            expression += ", #continuationToken = :continuationToken REMOVE #leaseUntil, #failureType";
        } else {
            expression += " REMOVE #leaseUntil, #failureType, #continuationToken";
        }
        String update = expression;
        try {
            dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(jobId))
                    .updateExpression(update)
                    .conditionExpression(HELD_BY_OWNER)
                    .expressionAttributeNames(names("#owner", "#status", "#updatedAt", "#expiresAt", "#result", "#message", "#failureType",
                            "#leaseUntil", "#continuationToken"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            throw new LeaseLostException(jobId, owner);
        } catch (SdkException e) {
            throw new JobLedgerException("completing pipeline job " + jobId + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void abandon(String jobId, String owner, Instant now) {
        Map<String, AttributeValue> values = new HashMap<>();
        values.put(":owner", s(owner));
        values.put(":completed", s(JobStatus.COMPLETED.name()));
        values.put(":expired", n(now.toEpochMilli() - 1));
        try {
            dynamo.updateItem(r -> r
                    .tableName(table)
                    .key(key(jobId))
                    .updateExpression("SET #leaseUntil = :expired")
                    .conditionExpression(HELD_BY_OWNER)
                    .expressionAttributeNames(names("#owner", "#status", "#leaseUntil"))
                    .expressionAttributeValues(values));
        } catch (ConditionalCheckFailedException e) {
            // Someone else holds it now, or it is completed: nothing of ours to give up.
        } catch (SdkException e) {
            throw new JobLedgerException("giving up the lease on pipeline job " + jobId + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<JobRecord> find(String jobId) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(r -> r.tableName(table).key(key(jobId)).consistentRead(true)).item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(job(jobId, item));
        } catch (SdkException e) {
            throw new JobLedgerException("reading pipeline job " + jobId + " from table " + table + " failed: " + e.getMessage(), e);
        }
    }

    static Map<String, AttributeValue> key(String jobId) {
        return Map.of(
                StateTable.PARTITION_KEY, s("JOB#" + jobId),
                StateTable.SORT_KEY, s(SORT_KEY_VALUE));
    }

    private static long expiry(Instant now) {
        // DynamoDB's TTL reads epoch seconds; milliseconds would put the expiry tens of thousands of years out.
        return now.plus(RETENTION).getEpochSecond();
    }

    private static String resultName(JobResult result) {
        return switch (result) {
            case JobResult.Succeeded s -> "SUCCEEDED";
            case JobResult.Continued c -> "CONTINUED";
            case JobResult.Failed f -> "FAILED";
            case JobResult.CompletedElsewhere c -> "COMPLETED_ELSEWHERE";
        };
    }

    private static JobRecord job(String jobId, Map<String, AttributeValue> item) {
        AttributeValue leaseUntil = item.get("leaseUntil");
        return new JobRecord(
                jobId,
                JobStatus.valueOf(text(item, "status")),
                text(item, "owner"),
                leaseUntil == null ? null : Instant.ofEpochMilli(Long.parseLong(leaseUntil.n())),
                result(item),
                instant(item, "createdAt"),
                instant(item, "updatedAt"));
    }

    private static JobResult result(Map<String, AttributeValue> item) {
        String result = text(item, "result");
        if (result == null) {
            return null;
        }
        String message = text(item, "message");
        return switch (result) {
            case "SUCCEEDED" -> new JobResult.Succeeded(message);
            case "CONTINUED" -> new JobResult.Continued(text(item, "continuationToken"), message);
            case "FAILED" -> new JobResult.Failed(JobFailureType.valueOf(text(item, "failureType")), message);
            case "COMPLETED_ELSEWHERE" -> new JobResult.CompletedElsewhere(message);
            default -> throw new JobLedgerException("pipeline job " + jobId(item) + " has an unknown result '" + result + "'", null);
        };
    }

    private static String jobId(Map<String, AttributeValue> item) {
        return text(item, "jobId");
    }

    private static Map<String, String> names(String... placeholders) {
        Map<String, String> names = new HashMap<>();
        for (String placeholder : placeholders) {
            String attribute = switch (placeholder) {
                case "#pk" -> StateTable.PARTITION_KEY;
                case "#expiresAt" -> TTL_ATTRIBUTE;
                default -> placeholder.substring(1);
            };
            names.put(placeholder, attribute);
        }
        return names;
    }
}
