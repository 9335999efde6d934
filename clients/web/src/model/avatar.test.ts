import { describe, expect, it } from 'vitest';
import { avatarSource, checkAvatarUrl, defaultAvatar, MAX_AVATAR_URL_LENGTH } from './avatar.ts';

describe('checkAvatarUrl', () => {
  it('treats an empty field as "use the default picture"', () => {
    expect(checkAvatarUrl('  ')).toEqual({ ok: true, url: '' });
  });

  it.each([
    'https://example.com/a.png',
    'http://x.test/a',
    'data:image/png;base64,AAAA',
    'data:image/svg+xml,%3Csvg%3E',
  ])('accepts %s', (url) => {
    expect(checkAvatarUrl(` ${url} `)).toEqual({ ok: true, url });
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<b>x</b>',
    'ftp://x.test/a.png',
    'example.com/a.png',
    'not a url',
  ])('refuses %s with a message', (url) => {
    const check = checkAvatarUrl(url);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.message).not.toBe('');
  });

  it('refuses addresses that would not fit in a record', () => {
    expect(checkAvatarUrl(`https://x.test/${'a'.repeat(MAX_AVATAR_URL_LENGTH)}`).ok).toBe(false);
  });
});

describe('defaultAvatar', () => {
  it('is an inline SVG with the escaped initial, stable per name', () => {
    const url = defaultAvatar('alice');
    expect(url.startsWith('data:image/svg+xml,')).toBe(true);
    expect(decodeURIComponent(url)).toContain('>A</text>');
    expect(defaultAvatar('alice')).toBe(url);
    expect(decodeURIComponent(defaultAvatar('<b>'))).toContain('>&#60;</text>');
    expect(decodeURIComponent(defaultAvatar('😀x'))).toContain('>😀</text>');
  });
});

describe('avatarSource', () => {
  it('uses the picture when it is usable, the default otherwise', () => {
    expect(avatarSource('https://x.test/a.png', 'bob')).toBe('https://x.test/a.png');
    expect(avatarSource('', 'bob')).toBe(defaultAvatar('bob'));
    expect(avatarSource(undefined, 'bob')).toBe(defaultAvatar('bob'));
    expect(avatarSource('javascript:alert(1)', 'bob')).toBe(defaultAvatar('bob'));
  });
});
