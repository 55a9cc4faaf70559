package dev.gantry.core.release;

/**
 * An event Gantry cannot act on because of its contents. The message names the field and what is
 * wrong with it, and never repeats a credential; handlers let it fail the invocation so the event
 * lands in the dead-letter queue rather than vanishing.
 */
public class MalformedEventException extends RuntimeException {

    public MalformedEventException(String message) {
        super(message);
    }

    public MalformedEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
