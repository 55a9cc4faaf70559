package dev.gantry.aws;

import static dev.gantry.aws.DynamoDbItems.instant;
import static dev.gantry.aws.DynamoDbItems.s;
import static dev.gantry.aws.DynamoDbItems.text;

import dev.gantry.core.deploy.DeployControls;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.release.ReleaseStore.ReleaseStoreException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Vetoes and pins in Gantry's DynamoDB table. A veto is {@code pk = VETO#<service>#<environment>},
 * {@code sk = <digest>}, so an environment's vetoes are one Query; a pin is
 * {@code pk = PIN#<service>#<environment>}, {@code sk = PIN}, one per environment. Writes replace
 * whatever was there: vetoing again renews the reason, pinning again moves the pin. Instants are
 * stored as ISO-8601 text, which keeps them exact and readable in the console.
 */
public final class DynamoDbDeployControls implements DeployControls {

    static final String PIN_SORT_KEY = "PIN";

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoDbDeployControls(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    @Override
    public void veto(Veto veto) {
        Map<String, AttributeValue> item = new HashMap<>(vetoKey(veto.service(), veto.environment(), veto.digest()));
        put(item, "service", veto.service());
        put(item, "environment", veto.environment());
        put(item, "digest", veto.digest().value());
        put(item, "reason", veto.reason());
        put(item, "by", veto.by());
        put(item, "at", veto.at() == null ? null : veto.at().toString());
        call(() -> dynamo.putItem(r -> r.tableName(table).item(item)),
                "vetoing " + veto.digest().shortForm() + " for " + veto.service() + "/" + veto.environment());
    }

    @Override
    public void liftVeto(String service, String environment, ImageDigest digest) {
        call(() -> dynamo.deleteItem(r -> r.tableName(table).key(vetoKey(service, environment, digest))),
                "lifting the veto of " + digest.shortForm() + " for " + service + "/" + environment);
    }

    @Override
    public Optional<Veto> vetoOf(String service, String environment, ImageDigest digest) {
        Map<String, AttributeValue> item = call(() -> dynamo.getItem(r -> r.tableName(table)
                        .key(vetoKey(service, environment, digest)).consistentRead(true)).item(),
                "reading the veto of " + digest.shortForm() + " for " + service + "/" + environment);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Veto(service, environment, digest, text(item, "reason"), text(item, "by"), instant(item, "at")));
    }

    @Override
    public void pin(Pin pin) {
        Map<String, AttributeValue> item = new HashMap<>(pinKey(pin.service(), pin.environment()));
        put(item, "service", pin.service());
        put(item, "environment", pin.environment());
        put(item, "digest", pin.digest().value());
        put(item, "until", pin.until() == null ? null : pin.until().toString());
        put(item, "reason", pin.reason());
        put(item, "by", pin.by());
        put(item, "at", pin.at() == null ? null : pin.at().toString());
        call(() -> dynamo.putItem(r -> r.tableName(table).item(item)), "pinning " + pin.service() + "/" + pin.environment());
    }

    @Override
    public void unpin(String service, String environment) {
        call(() -> dynamo.deleteItem(r -> r.tableName(table).key(pinKey(service, environment))),
                "unpinning " + service + "/" + environment);
    }

    @Override
    public Optional<Pin> pinOf(String service, String environment) {
        Map<String, AttributeValue> item = call(() -> dynamo.getItem(r -> r.tableName(table)
                        .key(pinKey(service, environment)).consistentRead(true)).item(),
                "reading the pin of " + service + "/" + environment);
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Pin(service, environment, new ImageDigest(text(item, "digest")), instant(item, "until"),
                text(item, "reason"), text(item, "by"), instant(item, "at")));
    }

    static Map<String, AttributeValue> vetoKey(String service, String environment, ImageDigest digest) {
        return Map.of(
                StateTable.PARTITION_KEY, s("VETO#" + service + "#" + environment),
                StateTable.SORT_KEY, s(digest.value()));
    }

    static Map<String, AttributeValue> pinKey(String service, String environment) {
        return Map.of(
                StateTable.PARTITION_KEY, s("PIN#" + service + "#" + environment),
                StateTable.SORT_KEY, s(PIN_SORT_KEY));
    }

    private <T> T call(Supplier<T> request, String what) {
        try {
            return request.get();
        } catch (SdkException e) {
            throw new ReleaseStoreException(what + " in table " + table + " failed: " + e.getMessage(), e);
        }
    }

    /** Absent values stay absent: DynamoDB has no null string, and a missing attribute reads back as null. */
    private static void put(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, s(value));
        }
    }
}
