import { h } from './dom.ts';

/** The brand, the connection badge and who is signed in, with Sign out. */
export function topBar(
  username: string,
  badge: HTMLElement,
  meAvatar: HTMLImageElement,
  onSignOut: () => void,
): HTMLElement {
  return h(
    'header',
    { class: 'top-bar' },
    h('span', { class: 'brand' }, 'Shared counter'),
    badge,
    h(
      'div',
      { class: 'me' },
      meAvatar,
      h('span', { class: 'me-name', 'data-testid': 'signed-in-user' }, username),
      h('button', { type: 'button', class: 'secondary', onclick: onSignOut }, 'Sign out'),
    ),
  );
}
