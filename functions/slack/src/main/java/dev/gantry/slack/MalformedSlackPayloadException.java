package dev.gantry.slack;

/** A verified request from Slack that does not carry what Gantry needs; {@link #field()} names what is wrong. */
public class MalformedSlackPayloadException extends RuntimeException {

    private final String field;

    public MalformedSlackPayloadException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The form field or JSON path at fault, e.g. {@code actions[0].action_id}. */
    public String field() {
        return field;
    }
}
