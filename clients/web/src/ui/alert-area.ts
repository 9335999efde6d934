import { h, setText } from './dom.ts';

export interface AlertArea {
  readonly element: HTMLElement;
  /** Shows `message`, replacing the previous one. */
  show(message: string): void;
}

/** A dismissable `role=alert` box, hidden until there is something to say. */
export function alertArea(): AlertArea {
  const text = h('span');
  const element = h(
    'div',
    { class: 'alert', role: 'alert', hidden: true },
    text,
    h('button', { type: 'button', class: 'link', onclick: () => (element.hidden = true) }, 'Dismiss'),
  );
  return {
    element,
    show(message) {
      setText(text, message);
      element.hidden = false;
    },
  };
}
