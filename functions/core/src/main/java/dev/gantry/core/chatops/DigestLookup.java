package dev.gantry.core.chatops;

import dev.gantry.core.config.EnvironmentConfig;
import dev.gantry.core.config.ServiceConfig;
import dev.gantry.core.image.ImageDigest;
import dev.gantry.core.image.ImageReference;
import dev.gantry.core.image.ImageRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The digest a tag points at now, in the repository an environment deploys from (the service's repository in the
 * environment's account and region): people name tags, Gantry deploys and pins digests.
 */
final class DigestLookup {

    private static final Logger LOG = LoggerFactory.getLogger(DigestLookup.class);

    private DigestLookup() {}

    /** @throws LookupFailedException with a message for the person who asked */
    static ImageDigest of(ImageRegistry registry, ServiceConfig service, EnvironmentConfig environment, String tag) {
        ImageReference tagged = new ImageReference(environment.account() + ".dkr.ecr." + environment.region() + ".amazonaws.com",
                service.repository(), tag, null);
        try {
            return registry.digestOf(tagged);
        } catch (ImageRegistry.ImageNotFoundException e) {
            throw new LookupFailedException("No image tagged `" + tag + "` in repository " + service.repository() + " ("
                    + environment.account() + ", " + environment.region() + ")");
        } catch (RuntimeException e) {
            LOG.error("could not look up {}", tagged, e);
            throw new LookupFailedException("Could not ask the registry what `" + tag + "` points at; the cause is in Gantry's logs");
        }
    }

    static final class LookupFailedException extends RuntimeException {
        LookupFailedException(String message) {
            super(message);
        }
    }
}
