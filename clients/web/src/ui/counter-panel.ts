import type { CounterSummary } from '../model/counter.ts';
import { h, setText } from './dom.ts';

export interface CounterPanel {
  readonly element: HTMLElement;
  update(summary: CounterSummary, username: string): void;
}

const formatNumber = new Intl.NumberFormat();

/** The global counter with its − and + buttons; the number is a polite live region. */
export function counterPanel(onChange: (delta: 1 | -1) => void): CounterPanel {
  const total = h('output', {
    id: 'global-counter',
    class: 'counter-value',
    'aria-live': 'polite',
    'aria-atomic': 'true',
    'aria-labelledby': 'counter-title',
    'data-testid': 'global-counter',
  });
  const detail = h('p', { class: 'counter-detail', 'data-testid': 'counter-detail' });
  const element = h(
    'section',
    { class: 'card counter', 'aria-labelledby': 'counter-title' },
    h('h2', { id: 'counter-title' }, 'Global counter'),
    h(
      'div',
      { class: 'counter-row' },
      counterButton(-1, '−', 'Decrease by 1', '-', onChange),
      total,
      counterButton(1, '+', 'Increase by 1', '+', onChange),
    ),
    detail,
    h('p', { class: 'hint' }, 'The sum of everyone’s clicks. Keys + and − work too.'),
  );
  return {
    element,
    update(summary, username) {
      setText(total, formatNumber.format(summary.total));
      total.dataset['value'] = String(summary.total);
      const mine = summary.byUser.get(username) ?? 0;
      setText(
        detail,
        `This tab: ${formatSigned(summary.session)} · All your sessions: ${formatSigned(mine)}`,
      );
    },
  };
}

function counterButton(
  delta: 1 | -1,
  text: string,
  label: string,
  shortcut: string,
  onChange: (delta: 1 | -1) => void,
): HTMLButtonElement {
  return h(
    'button',
    {
      type: 'button',
      class: 'counter-button',
      'aria-label': label,
      'aria-keyshortcuts': shortcut,
      'aria-controls': 'global-counter',
      'data-testid': delta > 0 ? 'increment' : 'decrement',
      onclick: () => onChange(delta),
    },
    text,
  );
}

function formatSigned(value: number): string {
  return value > 0 ? `+${formatNumber.format(value)}` : formatNumber.format(value);
}
