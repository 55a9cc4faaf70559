package dev.gantry.aws.lambda;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import dev.gantry.aws.SnapStartPriming;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Runs a function's handler once, in this JVM, with an event file: what {@code scripts/invoke} does.
 * The handler is built exactly as Lambda builds it (its public no-argument constructor, reading the
 * environment), prints its result as JSON on stdout, and the process exits non-zero with the reason on
 * stderr when the invocation fails.
 *
 * <p>The handler class comes from the jar's {@code META-INF/gantry/functions.properties}, which maps
 * each function the jar serves to its handler, so a function's jar is all this needs to know.
 *
 * <p>With {@code --primed} the run plays a SnapStart restore: after the handler's init it runs the function's priming,
 * as Lambda does before the snapshot, says {@value #PRIMED} on stderr and handles the event only once a line arrives on
 * stdin. What follows that line is what a restored function still does in its first invocation (the restore itself
 * aside), and `scripts/bench cold-start` times it.
 */
public final class Invoke {

    static final String FUNCTIONS_RESOURCE = "META-INF/gantry/functions.properties";
    private static final int LAMBDA_TIMEOUT_MILLIS = 60_000;
    /** What a {@code --primed} run says on stderr once it is primed and waits for its go-ahead. */
    public static final String PRIMED = "invoke: primed";
    /**
     * A line to say on stderr the moment the handler returns, for a caller that times the event and not the process's
     * exit after it (`scripts/bench cold-start`); nothing is said without it.
     */
    public static final String HANDLED_LINE_PROPERTY = "gantry.invoke.handledLine";

    private Invoke() {}

    public static void main(String[] args) {
        boolean primed = args.length == 3 && args[0].equals("--primed");
        if (args.length != 2 && !primed) {
            System.err.println("usage: Invoke [--primed] FUNCTION EVENT_FILE");
            System.exit(2);
        }
        String function = args[args.length - 2];
        try {
            System.out.println(invoke(function, Path.of(args[args.length - 1]), primed ? Invoke::primeThenWait : () -> {}));
        } catch (InvocationFailed e) {
            System.err.println("invoke " + function + ": " + e.getMessage());
            System.exit(1);
        }
    }

    private static void primeThenWait() {
        SnapStartPriming.primeRegistered();
        System.err.println(PRIMED);
        System.err.flush();
        try {
            new java.io.BufferedReader(new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            throw new InvocationFailed("cannot read the go-ahead on stdin: " + e.getMessage(), e);
        }
    }

    /**
     * @param afterInit what runs between the handler's init and the event (priming, for {@code --primed})
     * @return the handler's output, re-indented when it is JSON
     */
    static String invoke(String function, Path eventFile, Runnable afterInit) {
        byte[] event;
        try {
            event = Files.readAllBytes(eventFile);
        } catch (NoSuchFileException e) {
            throw new InvocationFailed("no event file " + eventFile, e);
        } catch (IOException e) {
            throw new InvocationFailed("cannot read " + eventFile + ": " + e.getMessage(), e);
        }
        RequestStreamHandler handler = handler(function);
        afterInit.run();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        EventStarts.mark();
        try (InputStream input = new java.io.ByteArrayInputStream(event)) {
            handler.handleRequest(input, output, new LocalContext(function, LAMBDA_TIMEOUT_MILLIS));
        } catch (IOException | RuntimeException e) {
            throw new InvocationFailed("failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        String handledLine = System.getProperty(HANDLED_LINE_PROPERTY);
        if (handledLine != null) {
            System.err.println(handledLine);
            System.err.flush();
        }
        return pretty(output.toString(StandardCharsets.UTF_8));
    }

    private static RequestStreamHandler handler(String function) {
        java.util.Properties functions = new java.util.Properties();
        try (InputStream in = Invoke.class.getClassLoader().getResourceAsStream(FUNCTIONS_RESOURCE)) {
            if (in == null) {
                throw new InvocationFailed("this jar names no functions (" + FUNCTIONS_RESOURCE + " is missing)", null);
            }
            functions.load(in);
        } catch (IOException e) {
            throw new InvocationFailed("cannot read " + FUNCTIONS_RESOURCE, e);
        }
        String className = functions.getProperty(function);
        if (className == null) {
            throw new InvocationFailed("this jar serves no function '" + function + "' (it serves: "
                    + String.join(", ", new java.util.TreeSet<>(functions.stringPropertyNames())) + ")", null);
        }
        try {
            return (RequestStreamHandler) Class.forName(className).getConstructor().newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            // The handler's init failed (configuration, environment): that is the message to show.
            Throwable cause = e.getCause();
            throw new InvocationFailed("init failed: " + cause.getMessage(), cause);
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new InvocationFailed("cannot create handler " + className + ": " + e, e);
        }
    }

    /**
     * Jackson's streaming parser and generator, not {@code ObjectMapper}: starting data binding costs a fresh JVM about
     * 100 ms after the handler has answered, which `scripts/bench slack-ack` would otherwise count against the function.
     */
    static String pretty(String output) {
        JsonFactory json = new JsonFactory();
        java.io.StringWriter indented = new java.io.StringWriter();
        try (JsonParser parser = json.createParser(output);
                JsonGenerator generator = json.createGenerator(indented).useDefaultPrettyPrinter()) {
            if (parser.nextToken() == null) {
                return output;
            }
            generator.copyCurrentStructure(parser);
            generator.flush();
            // One JSON value and nothing after it, or it is not JSON to re-indent.
            return parser.nextToken() == null ? indented.toString() : output;
        } catch (IOException e) {
            return output;
        }
    }

    /**
     * Loaded when the event is handed to the handler and at no other time, so that in a class-loading log
     * ({@code -Xlog:class+load}) its line parts what init loaded from what the event loaded: scripts/priming-classes reads
     * the event's part (decision 33).
     */
    static final class EventStarts {
        private EventStarts() {}

        static void mark() {}
    }

    static final class InvocationFailed extends RuntimeException {
        InvocationFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
