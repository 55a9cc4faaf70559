package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.instant;
import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.image.ImagePush;
import dev.gantry.core.release.MalformedEventException;
import java.io.InputStream;
import java.util.regex.Pattern;

/**
 * The EventBridge {@code ECR Image Action} event, read into an {@link ImagePush}. Unknown fields are
 * ignored (AWS adds fields without notice); missing or mistyped ones are rejected naming the field.
 */
public final class EcrImageActionEvent {

    static final String SOURCE = "aws.ecr";
    static final String DETAIL_TYPE = "ECR Image Action";

    private EcrImageActionEvent() {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(
            String id,
            @JsonProperty("detail-type") String detailType,
            String source,
            String account,
            String time,
            String region,
            Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(
            String result,
            @JsonProperty("repository-name") String repositoryName,
            @JsonProperty("image-digest") String imageDigest,
            @JsonProperty("action-type") String actionType,
            @JsonProperty("image-tag") String imageTag) {}

    // The registry host is built from these (<account>.dkr.ecr.<region>.amazonaws.com); anything else names no registry.
    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern REGION = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d{1,2}");

    public static ImagePush parse(InputStream json) {
        Envelope event = read(json, Envelope.class);
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected an '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        return new ImagePush(
                required(event.id(), "id"),
                matching(required(event.account(), "account"), ACCOUNT, "account", "a 12-digit AWS account id"),
                matching(required(event.region(), "region"), REGION, "region", "an AWS region name"),
                required(detail.repositoryName(), "detail.repository-name"),
                detail.imageTag(),
                detail.imageDigest(),
                required(detail.actionType(), "detail.action-type"),
                required(detail.result(), "detail.result"),
                instant(event.time(), "time"));
    }

    private static String matching(String value, Pattern pattern, String field, String what) {
        if (!pattern.matcher(value).matches()) {
            throw new MalformedEventException(field + ": '" + value + "' is not " + what);
        }
        return value;
    }
}
