package dev.gantry.core.image;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A container image as a task definition names it: {@code registry/repository[:tag][@digest]}.
 * Only Amazon ECR registries ({@code <account>.dkr.ecr.<region>.amazonaws.com}) carry an account and
 * region; for other registries (Docker Hub, public ECR) those are empty.
 */
public record ImageReference(String registry, String repository, String tag, String digest) {

    private static final Pattern ECR_REGISTRY =
            Pattern.compile("(\\d{12})\\.dkr\\.ecr(?:-fips)?\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?");

    /** Parses what ECS accepts in a container definition's {@code image}. */
    public static ImageReference parse(String image) {
        String rest = image;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String registry = "";
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            // Docker's rule: the first component is a registry when it looks like a host.
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                registry = first;
                rest = rest.substring(slash + 1);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new ImageReference(registry, rest, tag, digest);
    }

    /** The image in an ECR registry, pinned to {@code digest}. */
    public static ImageReference ecr(String account, String region, String repository, ImageDigest digest) {
        return new ImageReference(account + ".dkr.ecr." + region + ".amazonaws.com", repository, null, digest.value());
    }

    public Optional<String> ecrAccount() {
        Matcher m = ECR_REGISTRY.matcher(registry);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    public Optional<String> ecrRegion() {
        Matcher m = ECR_REGISTRY.matcher(registry);
        return m.matches() ? Optional.of(m.group(2)) : Optional.empty();
    }

    /** Whether this image comes from ECR repository {@code name} in {@code account} and {@code region}. */
    public boolean isFromEcr(String account, String region, String name) {
        return repository.equals(name) && ecrAccount().filter(account::equals).isPresent()
                && ecrRegion().filter(region::equals).isPresent();
    }

    public String render() {
        StringBuilder s = new StringBuilder();
        if (!registry.isEmpty()) {
            s.append(registry).append('/');
        }
        s.append(repository);
        if (tag != null) {
            s.append(':').append(tag);
        }
        if (digest != null) {
            s.append('@').append(digest);
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return render();
    }
}
