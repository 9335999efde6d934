import { parseCommand, type AdminCommand } from './args.ts';
import { adminEnv } from './connections.ts';
import { drainGateway } from './drain.ts';
import { inspectRepository } from './inspect.ts';
import { mintToken } from './mint.ts';
import { USAGE, UsageError } from './usage-error.ts';
import { formatReport, verifyStored } from './verify.ts';

export interface AdminIo {
  out(line: string): void;
  err(line: string): void;
}

/** Runs one command line; returns the exit code (0 ok, 1 verify found problems, 2 bad input or unreachable). */
export async function runAdmin(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: AdminIo,
): Promise<number> {
  try {
    return await execute(parseCommand(argv), env, io);
  } catch (err) {
    io.err(`admin: ${err instanceof Error ? err.message : String(err)}`);
    if (err instanceof UsageError) io.err('(npm run admin -- help for usage)');
    return 2;
  }
}

async function execute(command: AdminCommand, env: NodeJS.ProcessEnv, io: AdminIo): Promise<number> {
  switch (command.kind) {
    case 'help':
      io.out(USAGE);
      return 0;
    case 'mint':
      io.out(await mintToken(command, env));
      return 0;
    case 'inspect':
      for (const line of await inspectRepository(adminEnv(env), command.repository, command.last))
        io.out(line);
      return 0;
    case 'verify': {
      const report = await verifyStored(adminEnv(env), command.repository);
      for (const line of formatReport(command.repository, report)) io.out(line);
      return report.problems.length === 0 ? 0 : 1;
    }
    case 'drain':
      io.out(await drainGateway(command.opsUrl));
      return 0;
  }
}
