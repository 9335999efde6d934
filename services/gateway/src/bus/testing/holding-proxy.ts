import { createServer, connect as connectTcp, type Server, type Socket } from 'node:net';

interface Frame {
  /** Where it starts in the held bytes. */
  at: number;
  bytes: Buffer;
  message: boolean;
}

/** The client's handshake: its CONNECT, then a PING the server must answer before the client goes on. */
const HANDSHAKE_END = '\r\nPING\r\n';

/**
 * A TCP proxy between one NATS client and its server that can hold what the server sends, and hand the
 * held messages over in another order, with the client acting in between: it plays a server that delivers
 * the copies of one message to two subscriptions the other way round. It can also cut the connection
 * and hold what the client sends on the next one after its handshake: a server that has not taken the
 * subscriptions a reconnected client re-sent yet.
 */
export class HoldingProxy {
  readonly #server: Server;
  readonly #sockets: Socket[] = [];
  #client: Socket | undefined;
  #upstream: Socket | undefined;
  #held: Buffer | undefined;
  /** What the client sent after its handshake, kept back (while `holdAfterReconnect` applies). */
  #heldFromClient: Buffer | undefined;
  #holdNextConnection = false;
  /** Offsets (in the held bytes) of the frames already sent with `send` or `sendPongs`. */
  readonly #sent = new Set<number>();

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(upstreamUrl: string): Promise<HoldingProxy> {
    const upstream = new URL(upstreamUrl);
    const server = createServer();
    const proxy = new HoldingProxy(server);
    server.on('connection', (client) => proxy.#relay(client, upstream));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    const address = this.#server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy not listening');
    return `nats://127.0.0.1:${address.port}`;
  }

  /** From now on, what the server sends is kept back. */
  hold(): void {
    this.#held ??= Buffer.alloc(0);
  }

  /** How many complete messages (`MSG`/`HMSG`) are held. */
  heldMessages(): number {
    return this.#frames().filter((f) => f.message).length;
  }

  /** How many `PONG`s (answers to the client's flushes) are held and not sent yet. */
  heldPongs(): number {
    return this.#pongs().length;
  }

  /** Sends the `index`-th held message to the client now, ahead of everything held before it. */
  send(index: number): void {
    const message = this.#frames().filter((f) => f.message)[index];
    if (message === undefined) throw new Error(`no held message ${index}`);
    this.#write(message);
  }

  /** Sends the held `PONG`s now (the client's flushes so far are answered), ahead of the held messages. */
  sendPongs(): void {
    for (const pong of this.#pongs()) this.#write(pong);
  }

  /** Stops holding: everything held and not sent yet goes to the client, in the order the server sent it. */
  release(): void {
    for (const frame of this.#frames()) if (!this.#sent.has(frame.at)) this.#client?.write(frame.bytes);
    this.#held = undefined;
    this.#sent.clear();
  }

  /**
   * Cuts the connection; on the client's next one, what it sends after its handshake (the subscriptions
   * it re-sends, its flushes) is kept back from the server until `releaseFromClient`.
   */
  holdAfterReconnect(): void {
    this.#holdNextConnection = true;
    this.#client?.destroy();
    this.#upstream?.destroy();
  }

  /** What the client sent and the server did not get yet (protocol text). */
  heldFromClient(): string {
    return this.#heldFromClient?.toString() ?? '';
  }

  /** The server gets what the client sent meanwhile, and from now on what it sends. */
  releaseFromClient(): void {
    if (this.#heldFromClient !== undefined) this.#upstream?.write(this.#heldFromClient);
    this.#heldFromClient = undefined;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  #pongs(): Frame[] {
    return this.#frames().filter((f) => !this.#sent.has(f.at) && f.bytes.toString() === 'PONG\r\n');
  }

  #write(frame: Frame): void {
    this.#sent.add(frame.at);
    this.#client?.write(frame.bytes);
  }

  /** The held bytes cut into protocol lines, a message with its payload being one (a partial one last). */
  #frames(): Frame[] {
    const held = this.#held ?? Buffer.alloc(0);
    const frames: Frame[] = [];
    let at = 0;
    while (at < held.length) {
      const lineEnd = held.indexOf('\r\n', at);
      const line = held.subarray(at, lineEnd < 0 ? held.length : lineEnd).toString();
      const message = /^H?MSG /.test(line);
      const end =
        lineEnd < 0 ? held.length : lineEnd + 2 + (message ? Number(line.split(' ').at(-1)) + 2 : 0);
      frames.push({
        at,
        bytes: held.subarray(at, Math.min(end, held.length)),
        message: message && end <= held.length,
      });
      at = end;
    }
    return frames;
  }

  #relay(client: Socket, upstream: URL): void {
    const server = connectTcp(Number(upstream.port), upstream.hostname);
    this.#client = client;
    this.#upstream = server;
    this.#sockets.push(client, server);
    if (this.#holdNextConnection) this.#holdAfterHandshake(client, server);
    else client.pipe(server);
    server.on('data', (chunk: Buffer) => {
      if (this.#held === undefined) client.write(chunk);
      else this.#held = Buffer.concat([this.#held, chunk]);
    });
    const end = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', end).on('close', end);
    server.on('error', end).on('close', end);
  }

  #holdAfterHandshake(client: Socket, server: Socket): void {
    this.#holdNextConnection = false;
    let handshake: Buffer | undefined = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      if (handshake === undefined) {
        if (this.#heldFromClient === undefined) server.write(chunk);
        else this.#heldFromClient = Buffer.concat([this.#heldFromClient, chunk]);
        return;
      }
      handshake = Buffer.concat([handshake, chunk]);
      const end = handshake.indexOf(HANDSHAKE_END);
      if (end < 0) return;
      server.write(handshake.subarray(0, end + HANDSHAKE_END.length));
      this.#heldFromClient = handshake.subarray(end + HANDSHAKE_END.length);
      handshake = undefined;
    });
  }
}
