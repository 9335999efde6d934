import {
  GenericContainer,
  Wait,
  type StartedNetwork,
  type StartedTestContainer,
  type WaitStrategy,
} from 'testcontainers';
import type { ContainerDefinition, WaitDefinition } from './container-definition.ts';

function waitStrategy(wait: WaitDefinition): WaitStrategy {
  switch (wait.kind) {
    case 'log':
      return Wait.forLogMessage(wait.pattern);
    case 'http':
      return Wait.forHttp(wait.path, wait.port).forStatusCode(wait.status);
    case 'command':
      return Wait.forSuccessfulCommand(wait.command);
  }
}

/** Starts one defined container on `network`; resolves once all of its wait conditions hold. */
export function startContainer(
  definition: ContainerDefinition,
  network: StartedNetwork,
): Promise<StartedTestContainer> {
  return new GenericContainer(definition.image)
    .withCommand([...definition.command])
    .withEnvironment({ ...definition.env })
    .withExposedPorts(...definition.exposedPorts)
    .withNetwork(network)
    .withNetworkAliases(definition.alias)
    .withWaitStrategy(Wait.forAll(definition.waitFor.map(waitStrategy)))
    .withStartupTimeout(definition.startupTimeoutMs)
    .start();
}
