package dev.gantry.testing;

import dev.gantry.core.gate.ServiceRevisions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** ECS service revisions in memory, by ARN: an unknown revision is not found, as ECS would answer. Reads are counted. */
public final class InMemoryServiceRevisions implements ServiceRevisions {

    private final Map<String, Revision> revisions = new HashMap<>();
    private String failure;
    private int calls;

    public synchronized void givenRevision(String serviceRevisionArn, String serviceArn, List<ContainerImage> containers) {
        revisions.put(serviceRevisionArn, new Revision(serviceRevisionArn, serviceArn, containers));
    }

    /** Every read from now on fails with {@code message}. */
    public synchronized void failWith(String message) {
        failure = message;
    }

    public synchronized void recover() {
        failure = null;
    }

    public synchronized int calls() {
        return calls;
    }

    @Override
    public synchronized Revision describe(String serviceRevisionArn) {
        calls++;
        if (failure != null) {
            throw new ServiceRevisionsException(failure, null);
        }
        Revision revision = revisions.get(serviceRevisionArn);
        if (revision == null) {
            throw new ServiceRevisionsException("ECS service revision " + serviceRevisionArn + " not found", null);
        }
        return revision;
    }
}
