package dev.gantry.testing;

import dev.gantry.core.pipeline.ArtifactAccess;
import dev.gantry.core.pipeline.ArtifactLocation;
import dev.gantry.core.pipeline.ArtifactReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** Pipeline artifacts in memory, by bucket and key, with every read and the credentials it used recorded. */
public final class InMemoryArtifactReader implements ArtifactReader {

    /** A read, with the credentials it was made with. */
    public record Read(ArtifactLocation location, ArtifactAccess access) {}

    private final Map<String, byte[]> objects = new HashMap<>();
    private final List<Read> reads = new ArrayList<>();
    private final AtomicReference<RuntimeException> nextFailure = new AtomicReference<>();

    public synchronized void givenArtifact(String bucket, String key, byte[] content) {
        objects.put(bucket + "/" + key, content.clone());
    }

    /** Makes the next read throw {@code failure}, as S3 refusing the job's credentials would. */
    public void failNextRead(RuntimeException failure) {
        nextFailure.set(failure);
    }

    @Override
    public synchronized byte[] read(ArtifactLocation location, ArtifactAccess access, int maxBytes) {
        reads.add(new Read(location, access));
        RuntimeException failure = nextFailure.getAndSet(null);
        if (failure != null) {
            throw failure;
        }
        byte[] content = objects.get(location.bucket() + "/" + location.key());
        if (content == null) {
            throw new ArtifactReadException("input artifact " + location + " does not exist", null);
        }
        if (content.length > maxBytes) {
            throw new ArtifactReadException("input artifact " + location + " is " + content.length + " bytes, more than " + maxBytes, null);
        }
        return content.clone();
    }

    public synchronized List<Read> reads() {
        return List.copyOf(reads);
    }
}
