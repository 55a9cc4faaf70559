package dev.gantry.testing;

import dev.gantry.core.deploy.DeployControls;

class InMemoryDeployControlsTest extends DeployControlsContract {

    @Override
    protected DeployControls controls() {
        return new InMemoryDeployControls();
    }
}
