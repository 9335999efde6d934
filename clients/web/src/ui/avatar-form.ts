import { h } from './dom.ts';

/** The elements of the avatar form; `avatar-panel.ts` gives them their behaviour. */
export interface AvatarFormParts {
  readonly form: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly preview: HTMLImageElement;
  readonly error: HTMLElement;
  readonly saved: HTMLElement;
  readonly reset: HTMLButtonElement;
}

export function avatarForm(): AvatarFormParts {
  const input = avatarUrlInput();
  const preview = h('img', {
    class: 'avatar large',
    alt: 'Preview of your avatar',
    width: 72,
    height: 72,
    'data-testid': 'avatar-preview',
  });
  const error = h('p', { id: 'avatar-error', class: 'field-error', role: 'alert' });
  const saved = h('p', { class: 'muted', role: 'status' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save avatar');
  const reset = h('button', { type: 'button', class: 'secondary' }, 'Use default');
  const form = h(
    'form',
    { class: 'avatar-form', novalidate: true },
    h(
      'div',
      { class: 'avatar-row' },
      preview,
      h('div', { class: 'avatar-field' }, h('label', { for: 'avatar-url' }, 'Picture URL'), input),
    ),
    h(
      'p',
      { id: 'avatar-hint', class: 'hint' },
      'An http(s) or data:image address. Leave empty for the default picture.',
    ),
    error,
    h('div', { class: 'actions' }, save, reset),
    saved,
  );
  return { form, input, preview, error, saved, reset };
}

function avatarUrlInput(): HTMLInputElement {
  return h('input', {
    id: 'avatar-url',
    name: 'avatar-url',
    type: 'url',
    inputmode: 'url',
    placeholder: 'https://…',
    autocomplete: 'photo',
    'aria-describedby': 'avatar-hint avatar-error',
  });
}
