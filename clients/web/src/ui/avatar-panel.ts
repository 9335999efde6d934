import { checkAvatarUrl } from '../model/avatar.ts';
import type { UserRecord } from '../model/records.ts';
import { showAvatar } from './avatar-image.ts';
import { h, setText } from './dom.ts';

export interface AvatarPanel {
  readonly element: HTMLElement;
  update(me: UserRecord | undefined): void;
  dispose(): void;
}

const PREVIEW_DELAY_MS = 300;

/** Change your picture: a URL field with a live preview; empty means the default picture. */
export function avatarPanel(username: string, onSave: (avatarUrl: string) => Promise<void>): AvatarPanel {
  const input = h('input', {
    id: 'avatar-url',
    name: 'avatar-url',
    type: 'url',
    inputmode: 'url',
    placeholder: 'https://…',
    autocomplete: 'photo',
    'aria-describedby': 'avatar-hint avatar-error',
  });
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
  const element = h(
    'section',
    { class: 'card profile', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Your avatar'),
    form,
  );

  let current: string | undefined;
  let previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Edited and not saved yet: updates from elsewhere do not overwrite what is being typed. */
  let dirty = false;

  const showPreview = (): void => {
    const check = checkAvatarUrl(input.value);
    setText(error, check.ok ? '' : check.message);
    if (check.ok) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    showAvatar(preview, check.ok ? check.url : current, username);
  };

  const submit = async (avatarUrl: string): Promise<void> => {
    setText(saved, '');
    await onSave(avatarUrl);
    dirty = false;
    setText(saved, avatarUrl === '' ? 'Default picture saved.' : 'Avatar saved.');
  };

  input.addEventListener('input', () => {
    dirty = true;
    setText(saved, '');
    clearTimeout(previewTimer);
    previewTimer = setTimeout(showPreview, PREVIEW_DELAY_MS);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(previewTimer);
    showPreview();
    const check = checkAvatarUrl(input.value);
    if (!check.ok) {
      input.focus();
      return;
    }
    input.value = check.url;
    submit(check.url).catch((cause: unknown) => setText(error, `Could not save: ${String(cause)}`));
  });
  reset.addEventListener('click', () => {
    input.value = '';
    clearTimeout(previewTimer);
    showPreview();
    submit('').catch((cause: unknown) => setText(error, `Could not save: ${String(cause)}`));
  });

  return {
    element,
    update(me) {
      const url = me?.avatar_url ?? '';
      if (url === current) return;
      current = url;
      if (!dirty && document.activeElement !== input) {
        input.value = url;
        showPreview();
      }
    },
    dispose() {
      clearTimeout(previewTimer);
    },
  };
}
