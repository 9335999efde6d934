/** The gateway's dev-token endpoint accepts 1–64 UTF-16 code units after trimming (JavaScript's `length`). */
export const MAX_USERNAME_LENGTH = 64;

export type UsernameCheck =
  { readonly ok: true; readonly username: string } | { readonly ok: false; readonly message: string };

/** Trims the input; refuses empty, too long, or control characters (the name is shown to everyone). */
export function checkUsername(input: string): UsernameCheck {
  const username = input.trim();
  if (username === '') return { ok: false, message: 'Please enter a username.' };
  if (username.length > MAX_USERNAME_LENGTH) {
    return { ok: false, message: `A username has at most ${MAX_USERNAME_LENGTH} characters.` };
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(username)) {
    return { ok: false, message: 'A username cannot contain control characters.' };
  }
  return { ok: true, username };
}
