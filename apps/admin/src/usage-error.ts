/** Bad input from the operator or an unreachable server: a clear message and exit code 2, no stack trace. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run admin -- <command> [options]

  mint --subject <sub> [--read <pattern>]... [--write <pattern>]... [--role <role>]... [--expires-in <seconds>]
      An HS256 token signed with JWT_SECRET (JWT_ISSUER, JWT_AUDIENCE when set); --role admin opens
      the gateway's admin dashboard (/admin on its ops port).
  inspect <repository> [--last <n>]
      The repository's head and its last n events (default 10) from MONGO_URL/MONGO_DB.
  verify <repository>
      Store gapless 1..head, every event id once, and the NATS log (NATS_URL, BUS_PREFIX) agreeing.
  drain --ops-url <http://gateway:9090>
      The gateway stops accepting connections and closes its sessions with 1001.

Exit codes: 0 ok, 1 verify found problems, 2 bad input or unreachable server.`;
