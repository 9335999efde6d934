import { appendFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcessOptions {
  name: string;
  command: string;
  args: readonly string[];
  port: number;
  /** Where the port is reached (default 127.0.0.1; a network namespace's address). */
  host?: string;
  env?: NodeJS.ProcessEnv;
  startTimeoutMs?: number;
  /**
   * Own process group: a signal sent to the parent's group (Ctrl-C, `kill -- -pid`) does not reach the
   * server, so the parent can stop its clients first and the server last. Killed when the parent exits.
   */
  detached?: boolean;
  /** Also append all output to this file (post-mortem of crash tests). */
  logFile?: string;
}

/**
 * A real server in a child process, listening on a fixed port so that it can be killed and restarted
 * in place (crash tests). Output is kept (tail) for error messages.
 */
export class ServerProcess {
  readonly #options: ServerProcessOptions;
  #child: ChildProcess | undefined;
  #output: string[] = [];

  constructor(options: ServerProcessOptions) {
    this.#options = options;
  }

  get port(): number {
    return this.#options.port;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    // Else the readiness check below would take the other process for this one, which then exits at once
    // (EADDRINUSE) unseen: a crash test saw a gateway "exit by itself" and its clients get nothing.
    if (await canConnect(this.#options.host ?? '127.0.0.1', this.#options.port))
      throw new Error(`${this.#options.name}: port ${this.#options.port} is taken by another process`);
    const child = spawn(this.#options.command, [...this.#options.args], {
      env: { ...process.env, ...this.#options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: this.#options.detached ?? false,
    });
    this.#child = child;
    if (this.#options.detached === true) {
      const killOnExit = () => child.kill('SIGKILL');
      process.once('exit', killOnExit);
      child.once('exit', () => process.off('exit', killOnExit));
    }
    const logFile = this.#options.logFile;
    if (logFile !== undefined) appendFileSync(logFile, `--- start ${new Date().toISOString()}\n`);
    const keep = (chunk: Buffer) => {
      if (logFile !== undefined) appendFileSync(logFile, chunk);
      this.#output.push(chunk.toString());
      if (this.#output.length > 200) this.#output.splice(0, this.#output.length - 200);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    await this.#waitForPort(this.#options.startTimeoutMs ?? 30_000);
  }

  /** Sends a signal (default SIGKILL) and waits for the process to exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.kill('SIGKILL');
    await this.start();
  }

  pause(): void {
    this.#child?.kill('SIGSTOP');
  }

  resume(): void {
    this.#child?.kill('SIGCONT');
  }

  output(): string {
    return this.#output.join('');
  }

  async #waitForPort(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.#options.name} exited during start:\n${this.output().slice(-4000)}`);
      }
      if (await canConnect(this.#options.host ?? '127.0.0.1', this.#options.port)) return;
      await sleep(50);
    }
    throw new Error(
      `${this.#options.name} did not listen on ${this.#options.port} within ${timeoutMs} ms:\n${this.output().slice(-4000)}`,
    );
  }
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
