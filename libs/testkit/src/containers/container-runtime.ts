import { getContainerRuntimeClient } from 'testcontainers';

export type ContainerRuntime =
  { available: true; description: string } | { available: false; reason: string };

/** Whether testcontainers finds a Docker-compatible runtime (DOCKER_HOST, the socket, Docker Desktop, Podman…). */
export async function findContainerRuntime(): Promise<ContainerRuntime> {
  try {
    const client = await getContainerRuntimeClient();
    const { host, remoteSocketPath } = client.info.containerRuntime;
    return { available: true, description: `${remoteSocketPath} (host ${host})` };
  } catch (err) {
    return { available: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
