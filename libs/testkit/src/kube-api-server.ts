import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from './free-port.ts';
import { binCacheDir } from './paths.ts';
import { ServerProcess } from './server-process.ts';

const ETCD_VERSION = 'v3.6.16';
const KUBE_VERSION = 'v1.34.4';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubeApiServer {
  /** Runs the matching kubectl against this API server as a cluster admin (`input` goes to stdin). */
  kubectl(args: readonly string[], input?: string): Promise<KubectlResult>;
  dispose(): Promise<void>;
}

function binary(name: string, version: string): string {
  const path = join(binCacheDir(), `${name}-${version}`);
  if (!existsSync(path))
    throw new Error(`${name} ${version} not built: run \`npm run test-servers\` (needs Go)`);
  return path;
}

/**
 * etcd and kube-apiserver on free loopback ports, with a static admin token, RBAC and its own
 * self-signed serving certificate; no controllers or nodes, so objects are validated and stored
 * (schemas, strict fields, admission such as PodSecurity) but nothing runs.
 */
export async function startKubeApiServer(): Promise<KubeApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'lfs-kube-'));
  const [etcdPort, apiPort] = [await freePort(), await freePort()];
  const etcd = await etcdProcess(dir, etcdPort);
  const token = randomBytes(24).toString('hex');
  writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin,system:masters\n`);
  const serviceAccountKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(join(dir, 'sa.key'), serviceAccountKey.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(join(dir, 'sa.pub'), serviceAccountKey.publicKey.export({ type: 'spki', format: 'pem' }));
  const apiServer = new ServerProcess({
    name: 'kube-apiserver',
    command: binary('kube-apiserver', KUBE_VERSION),
    args: [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'certs')}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
    ],
    port: apiPort,
    startTimeoutMs: 60_000,
  });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfig(apiPort, token));
  const kubectl = (args: readonly string[], input?: string) =>
    runKubectl(['--kubeconfig', join(dir, 'kubeconfig'), ...args], input);
  const dispose = async () => {
    await apiServer.stop();
    await etcd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await etcd.start();
    await apiServer.start();
    await waitReady(kubectl, apiServer);
  } catch (err) {
    await dispose();
    throw err;
  }
  return { kubectl, dispose };
}

async function etcdProcess(dir: string, port: number): Promise<ServerProcess> {
  const peerPort = await freePort();
  return new ServerProcess({
    name: 'etcd',
    command: binary('etcd', ETCD_VERSION),
    args: [
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${port}`,
      `--advertise-client-urls=http://127.0.0.1:${port}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
    ],
    port,
  });
}

function kubeconfig(port: number, token: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'test', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'admin', user: { token } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'admin' } }],
    'current-context': 'test',
  });
}

async function waitReady(kubectl: KubeApiServer['kubectl'], server: ServerProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const result = await kubectl(['get', '--raw', '/readyz']);
    if (result.code === 0 && result.stdout.trim() === 'ok') return;
    if (!server.running) throw new Error(`kube-apiserver exited:\n${server.output().slice(-4000)}`);
    await sleep(200);
  }
  throw new Error(`kube-apiserver not ready within 60 s:\n${server.output().slice(-4000)}`);
}

/** kubectl alone, e.g. `kustomize`, which needs no server. */
export function runKubectl(args: readonly string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = execFile(
      binary('kubectl', KUBE_VERSION),
      [...args],
      { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
