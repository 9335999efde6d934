import { avatarSource, defaultAvatar } from '../model/avatar.ts';

/** Pictures that failed to load in this page: shown as the default picture from then on. */
const broken = new Set<string>();

/** Points `img` at the user's picture (or the default one, also when the picture fails to load). */
export function showAvatar(img: HTMLImageElement, avatarUrl: string | undefined, username: string): void {
  const wanted = avatarSource(avatarUrl, username);
  const src = broken.has(wanted) ? defaultAvatar(username) : wanted;
  img.onerror = () => {
    if (img.getAttribute('src') !== wanted) return;
    broken.add(wanted);
    img.setAttribute('src', defaultAvatar(username));
  };
  if (img.getAttribute('src') !== src) img.setAttribute('src', src);
}
