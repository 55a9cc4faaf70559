package dev.gantry.core.chatops;

import dev.gantry.core.image.ImageDigest;
import java.time.Instant;
import java.util.Objects;

/**
 * A {@code /gantry} command, read by {@link SlashCommandParser}: names checked against the configuration, optional
 * environments already defaulted, times already made absolute.
 */
public sealed interface SlashCommand permits SlashCommand.Status, SlashCommand.Deploy, SlashCommand.Rollback, SlashCommand.Pin,
        SlashCommand.Unpin, SlashCommand.Veto, SlashCommand.Rebuild, SlashCommand.Freeze, SlashCommand.Help {

    /** The verb as typed and as the audit log names it. */
    String verb();

    /** Whether it changes anything: such commands need a permission, one effect per request, and an audit entry. */
    default boolean mutating() {
        return true;
    }

    /** What each environment of a service runs. */
    record Status(String service) implements SlashCommand {
        public String verb() {
            return "status";
        }

        public boolean mutating() {
            return false;
        }
    }

    /** Deploy the digest {@code tag} points at now to one environment. */
    record Deploy(String service, String environment, String tag) implements SlashCommand {
        public String verb() {
            return "deploy";
        }
    }

    /** Deploy the release the environment ran before the current one. */
    record Rollback(String service, String environment) implements SlashCommand {
        public String verb() {
            return "rollback";
        }
    }

    /**
     * Hold an environment on one digest: given as {@code digest}, or as {@code tag}, resolved when the pin is made
     * (exactly one of the two).
     *
     * @param until when the pin ends by itself; null: until unpinned
     */
    record Pin(String service, String environment, ImageDigest digest, String tag, Instant until, String reason) implements SlashCommand {
        public Pin {
            if ((digest == null) == (tag == null)) {
                throw new IllegalArgumentException("a pin names a digest or a tag");
            }
        }

        public String verb() {
            return "pin";
        }
    }

    record Unpin(String service, String environment) implements SlashCommand {
        public String verb() {
            return "unpin";
        }
    }

    record Veto(String service, String environment, ImageDigest digest, String reason) implements SlashCommand {
        public Veto {
            Objects.requireNonNull(digest, "digest");
        }

        public String verb() {
            return "veto";
        }
    }

    /** Rebuild a base image's dependents on its current digest. */
    record Rebuild(String baseImage, String reason) implements SlashCommand {
        public String verb() {
            return "rebuild";
        }
    }

    /**
     * @param on turn the freeze on, or lift it
     * @param scope an environment name, or {@link ManualFreeze#EVERY_ENVIRONMENT}
     * @param until when it ends by itself; null: until lifted (always null for {@code off})
     */
    record Freeze(boolean on, String scope, Instant until, String reason) implements SlashCommand {
        public String verb() {
            return on ? "freeze on" : "freeze off";
        }
    }

    record Help() implements SlashCommand {
        public String verb() {
            return "help";
        }

        public boolean mutating() {
            return false;
        }
    }
}
