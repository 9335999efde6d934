import { describe, expect, it } from 'vitest';
import { parseCommand } from './args.ts';
import { UsageError } from './usage-error.ts';

describe('parseCommand', () => {
  it('parses mint with repeated claims and a default lifetime', () => {
    expect(
      parseCommand(['mint', '--subject', 'alice', '--read', '*', '--write', 'counter_log', '--write', 'x']),
    ).toEqual({
      kind: 'mint',
      subject: 'alice',
      read: ['*'],
      write: ['counter_log', 'x'],
      roles: [],
      expiresInSec: 3600,
    });
    expect(parseCommand(['mint', '--subject', 'ops', '--role', 'admin', '--role', 'admin'])).toMatchObject({
      roles: ['admin'],
    });
    expect(parseCommand(['mint', '--subject', 'bob', '--expires-in', '60'])).toMatchObject({
      read: [],
      expiresInSec: 60,
    });
  });

  it('parses inspect, verify and drain', () => {
    expect(parseCommand(['inspect', 'counter_log', '--last', '3'])).toEqual({
      kind: 'inspect',
      repository: 'counter_log',
      last: 3,
    });
    expect(parseCommand(['inspect', 'a:b'])).toMatchObject({ last: 10 });
    expect(parseCommand(['verify', 'r1'])).toEqual({ kind: 'verify', repository: 'r1' });
    expect(parseCommand(['drain', '--ops-url', 'http://gw:9090'])).toMatchObject({ kind: 'drain' });
    expect(parseCommand([])).toEqual({ kind: 'help' });
  });

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['mint'], /mint needs --subject/],
    [['mint', '--subject', 'a', '--expires-in', '1.5'], /--expires-in must be an integer/],
    [['mint', '--subject', 'a', '--bogus'], /Unknown option '--bogus'/],
    [['mint', '--subject', 'a', '--role', ''], /--role takes names/],
    [['inspect'], /exactly one repository/],
    [['inspect', 'bad name!'], /repository name must match/],
    [['inspect', 'r', '--last', '0'], /--last must be an integer from 1 to 1000/],
    [['verify', 'a', 'b'], /exactly one repository/],
    [['verify', '../etc'], /repository name must match/],
    [['drain'], /drain needs --ops-url/],
    [['drain', '--ops-url', 'ftp://x'], /must be an http\(s\) URL/],
  ])('rejects %j with a UsageError', (argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});
