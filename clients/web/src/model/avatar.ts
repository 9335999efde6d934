/** Keeps the user record well below the gateway's per-event data limit (64 KiB by default). */
export const MAX_AVATAR_URL_LENGTH = 16_000;

export type AvatarUrlCheck =
  { readonly ok: true; readonly url: string } | { readonly ok: false; readonly message: string };

/** An empty field means the default picture; otherwise an http(s) address or a `data:image/…` URL. */
export function checkAvatarUrl(input: string): AvatarUrlCheck {
  const url = input.trim();
  if (url === '') return { ok: true, url: '' };
  if (url.length > MAX_AVATAR_URL_LENGTH) {
    return { ok: false, message: `That address is too long (at most ${MAX_AVATAR_URL_LENGTH} characters).` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, message: 'Enter a full address, e.g. https://example.com/me.png.' };
  }
  const allowed =
    parsed.protocol === 'https:' ||
    parsed.protocol === 'http:' ||
    (parsed.protocol === 'data:' && /^data:image\/[a-z0-9.+-]+[;,]/i.test(url));
  if (!allowed) return { ok: false, message: 'Use an http(s) address or a data:image URL.' };
  return { ok: true, url };
}

/** What an `<img>` shows for a user: their picture, or the default one when it is unset or unusable. */
export function avatarSource(avatarUrl: string | undefined, username: string): string {
  const check = checkAvatarUrl(avatarUrl ?? '');
  return check.ok && check.url !== '' ? check.url : defaultAvatar(username);
}

/**
 * The default picture: the user's initial on a colour derived from the name, as an inline SVG data URL so
 * that nothing is fetched.
 */
export function defaultAvatar(username: string): string {
  const initial = escapeXml(([...username.trim()][0] ?? '?').toUpperCase());
  const hue = hashString(username) % 360;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">` +
    `<rect width="64" height="64" rx="32" fill="hsl(${hue} 55% 42%)"/>` +
    `<text x="32" y="32" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" ` +
    `font-size="30" font-weight="600" fill="#fff">${initial}</text></svg>`;
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** FNV-1a, 32 bits: stable across browsers and runs. */
function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
