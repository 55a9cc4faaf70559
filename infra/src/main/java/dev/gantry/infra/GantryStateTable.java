package dev.gantry.infra;

import software.amazon.awscdk.services.dynamodb.Attribute;
import software.amazon.awscdk.services.dynamodb.AttributeType;
import software.amazon.awscdk.services.dynamodb.BillingMode;
import software.amazon.awscdk.services.dynamodb.ITable;
import software.amazon.awscdk.services.dynamodb.PointInTimeRecoverySpecification;
import software.amazon.awscdk.services.dynamodb.Table;
import software.amazon.awscdk.services.dynamodb.TableEncryption;
import software.constructs.Construct;

/**
 * The DynamoDB table holding Gantry's state: release records (the audit trail), dedupe records, vetoes and pins.
 *
 * <p>Single-table design: partition key {@value #PARTITION_KEY} and sort key {@value #SORT_KEY}, both strings; items
 * that expire carry their epoch-second deadline in {@value #TTL_ATTRIBUTE}. On-demand billing, point-in-time recovery
 * on, encrypted with the AWS managed key for DynamoDB ({@code aws/dynamodb}), retained when removed from the stack (see
 * {@link GantryStateTableProps}).
 *
 * <p>The table's logical id derives from this construct's id and its place in the tree. Changing either makes
 * CloudFormation create a new, empty table, so keep both stable once deployed.
 */
public final class GantryStateTable extends Construct {

    public static final String PARTITION_KEY = "pk";
    public static final String SORT_KEY = "sk";
    public static final String TTL_ATTRIBUTE = "expiresAt";

    private final Table table;

    /** A table with the production defaults. */
    public GantryStateTable(Construct scope, String id) {
        this(scope, id, GantryStateTableProps.defaults());
    }

    public GantryStateTable(Construct scope, String id, GantryStateTableProps props) {
        super(scope, id);
        this.table = Table.Builder.create(this, "Resource")
                .partitionKey(Attribute.builder().name(PARTITION_KEY).type(AttributeType.STRING).build())
                .sortKey(Attribute.builder().name(SORT_KEY).type(AttributeType.STRING).build())
                // Gantry's traffic follows releases: bursts on push days, silence in between.
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .pointInTimeRecoverySpecification(PointInTimeRecoverySpecification.builder()
                        .pointInTimeRecoveryEnabled(true)
                        .build())
                .timeToLiveAttribute(TTL_ATTRIBUTE)
                .encryption(TableEncryption.AWS_MANAGED)
                .removalPolicy(props.removalPolicy())
                .build();
    }

    /** The table, for {@code grant*} calls and for the functions' {@code GANTRY_TABLE} variable. */
    public ITable getTable() {
        return table;
    }
}
