import { describe, expect, it } from 'vitest';
import { checkUsername, MAX_USERNAME_LENGTH } from './username.ts';

describe('checkUsername', () => {
  it('trims the name', () => {
    expect(checkUsername('  Alice \n')).toEqual({ ok: true, username: 'Alice' });
  });

  it.each(['', '   ', '\t\n'])('refuses an empty name (%j) with a message', (input) => {
    expect(checkUsername(input)).toEqual({ ok: false, message: 'Please enter a username.' });
  });

  it('accepts the maximum length and refuses one more, counted like the gateway (UTF-16 units)', () => {
    const longest = 'a'.repeat(MAX_USERNAME_LENGTH);
    expect(checkUsername(` ${longest} `)).toEqual({ ok: true, username: longest });
    expect(checkUsername(`${longest}a`).ok).toBe(false);
    expect(checkUsername('😀'.repeat(MAX_USERNAME_LENGTH / 2 + 1)).ok).toBe(false);
  });

  it('refuses control characters inside the name', () => {
    expect(checkUsername('al\u0000ice').ok).toBe(false);
    expect(checkUsername('al\u001bice').ok).toBe(false);
  });
});
