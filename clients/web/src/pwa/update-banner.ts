import { h } from '../ui/dom.ts';

export interface UpdateBanner {
  readonly element: HTMLElement;
  /** Shows that a new version is ready; `onReload` runs when the user agrees. */
  show(onReload: () => Promise<void>): void;
}

/** "A new version is ready": the reload happens only when the user asks, after the queue is stored. */
export function updateBanner(): UpdateBanner {
  const button = h('button', { type: 'button' }, 'Reload to update');
  const element = h(
    'div',
    { class: 'update-banner', role: 'status', hidden: true, 'data-testid': 'update-banner' },
    h('span', {}, 'A new version of the app is ready. Your changes are kept.'),
    button,
  );
  return {
    element,
    show(onReload) {
      element.hidden = false;
      button.onclick = () => {
        button.disabled = true;
        onReload().catch((cause: unknown) => {
          console.error('lfsync web: could not update', cause);
          button.disabled = false;
        });
      };
    },
  };
}
