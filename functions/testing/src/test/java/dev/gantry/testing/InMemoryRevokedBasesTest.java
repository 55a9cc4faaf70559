package dev.gantry.testing;

import dev.gantry.core.rebuild.RevokedBases;

/** The revoked-bases contract against the in-memory fake the revocation and rebuild service tests use. */
class InMemoryRevokedBasesTest extends RevokedBasesContract {

    @Override
    protected RevokedBases revokedBases() {
        return new InMemoryRevokedBases();
    }
}
