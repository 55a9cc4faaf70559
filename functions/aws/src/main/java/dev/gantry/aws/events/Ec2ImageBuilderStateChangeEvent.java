package dev.gantry.aws.events;

import static dev.gantry.aws.events.EventFields.instant;
import static dev.gantry.aws.events.EventFields.read;
import static dev.gantry.aws.events.EventFields.required;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.gantry.core.release.MalformedEventException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The EventBridge {@code EC2 Image Builder Image State Change} event, read into an {@link ImageStateChange}. AWS
 * publishes no complete sample of this event: {@code events/README.md} says which fields are documented and which
 * assumed. The container outputs are optional for that reason, and an event without them still parses.
 */
public final class Ec2ImageBuilderStateChangeEvent {

    static final String SOURCE = "aws.imagebuilder";
    static final String DETAIL_TYPE = "EC2 Image Builder Image State Change";

    private Ec2ImageBuilderStateChangeEvent() {}

    /**
     * @param imageArn the Image Builder image ({@code arn:aws:imagebuilder:<region>:<account>:image/<name>/<version>/<build>})
     * @param status {@code AVAILABLE}, {@code FAILED}, {@code CANCELLED}, ... as Image Builder words it
     * @param reason why, when the event says; null otherwise
     * @param containerImageUris the container images the build distributed, when the event lists them; empty otherwise
     */
    public record ImageStateChange(String eventId, String imageArn, String status, String reason, List<String> containerImageUris,
            Instant time) {

        public ImageStateChange {
            containerImageUris = List.copyOf(containerImageUris);
        }

        public boolean available() {
            return "AVAILABLE".equals(status);
        }
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Envelope(String id, @JsonProperty("detail-type") String detailType, String source, String time, List<String> resources,
            Detail detail) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Detail(State state, OutputResources outputResources) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record State(String status, String reason) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record OutputResources(List<Container> containers) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Container(String region, List<String> imageUris) {}

    public static ImageStateChange parse(InputStream json) {
        Envelope event = read(json, Envelope.class);
        if (!SOURCE.equals(event.source()) || !DETAIL_TYPE.equals(event.detailType())) {
            throw new MalformedEventException("expected an '" + DETAIL_TYPE + "' event from " + SOURCE + ", got detail-type '"
                    + event.detailType() + "' from source '" + event.source() + "'");
        }
        Detail detail = event.detail();
        if (detail == null) {
            throw new MalformedEventException("detail: missing");
        }
        if (detail.state() == null) {
            throw new MalformedEventException("detail.state: missing");
        }
        return new ImageStateChange(
                required(event.id(), "id"),
                imageArn(event.resources()),
                required(detail.state().status(), "detail.state.status"),
                detail.state().reason(),
                containerImageUris(detail.outputResources()),
                instant(event.time(), "time"));
    }

    private static String imageArn(List<String> resources) {
        if (resources == null || resources.isEmpty() || resources.get(0) == null) {
            throw new MalformedEventException("resources[0]: missing (the image ARN)");
        }
        String arn = resources.get(0);
        if (!arn.startsWith("arn:") || !arn.contains(":imagebuilder:") || !arn.contains(":image/")) {
            throw new MalformedEventException("resources[0]: '" + arn
                    + "' is not an Image Builder image ARN of the form arn:aws:imagebuilder:<region>:<account>:image/<name>/<version>/<build>");
        }
        return arn;
    }

    private static List<String> containerImageUris(OutputResources outputs) {
        if (outputs == null || outputs.containers() == null) {
            return List.of();
        }
        return outputs.containers().stream()
                .filter(Objects::nonNull)
                .flatMap(c -> c.imageUris() == null ? java.util.stream.Stream.<String>empty() : c.imageUris().stream())
                .filter(Objects::nonNull)
                .toList();
    }
}
