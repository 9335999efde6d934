import { checkAvatarUrl } from '../model/avatar.ts';
import type { UserRecord } from '../model/records.ts';
import { avatarForm, type AvatarFormParts } from './avatar-form.ts';
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
  const parts = avatarForm();
  const editor = new AvatarEditor(parts, username, onSave);
  const element = h(
    'section',
    { class: 'card profile', 'aria-labelledby': 'profile-title' },
    h('h2', { id: 'profile-title' }, 'Your avatar'),
    parts.form,
  );
  return {
    element,
    update: (me) => editor.showStored(me?.avatar_url ?? ''),
    dispose: () => editor.dispose(),
  };
}

/** The form's behaviour: preview while typing, check and save on submit, reset to the default picture. */
class AvatarEditor {
  readonly #parts: AvatarFormParts;
  readonly #username: string;
  readonly #onSave: (avatarUrl: string) => Promise<void>;
  #current: string | undefined;
  #previewTimer: ReturnType<typeof setTimeout> | undefined;
  /** Edited and not saved yet: updates from elsewhere do not overwrite what is being typed. */
  #dirty = false;

  constructor(parts: AvatarFormParts, username: string, onSave: (avatarUrl: string) => Promise<void>) {
    this.#parts = parts;
    this.#username = username;
    this.#onSave = onSave;
    parts.input.addEventListener('input', () => this.#edited());
    parts.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.#saveTyped();
    });
    parts.reset.addEventListener('click', () => this.#saveDefault());
  }

  /** The picture saved for this user (from any device) is `url`. */
  showStored(url: string): void {
    if (url === this.#current) return;
    this.#current = url;
    const { input } = this.#parts;
    if (!this.#dirty && document.activeElement !== input) {
      input.value = url;
      this.#showPreview();
    }
  }

  dispose(): void {
    clearTimeout(this.#previewTimer);
  }

  #edited(): void {
    this.#dirty = true;
    setText(this.#parts.saved, '');
    clearTimeout(this.#previewTimer);
    this.#previewTimer = setTimeout(() => this.#showPreview(), PREVIEW_DELAY_MS);
  }

  #saveTyped(): void {
    const { input } = this.#parts;
    clearTimeout(this.#previewTimer);
    this.#showPreview();
    const check = checkAvatarUrl(input.value);
    if (!check.ok) {
      input.focus();
      return;
    }
    input.value = check.url;
    this.#save(check.url);
  }

  #saveDefault(): void {
    this.#parts.input.value = '';
    clearTimeout(this.#previewTimer);
    this.#showPreview();
    this.#save('');
  }

  #showPreview(): void {
    const { input, error, preview } = this.#parts;
    const check = checkAvatarUrl(input.value);
    setText(error, check.ok ? '' : check.message);
    if (check.ok) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    showAvatar(preview, check.ok ? check.url : this.#current, this.#username);
  }

  #save(avatarUrl: string): void {
    this.#submit(avatarUrl).catch((cause: unknown) =>
      setText(this.#parts.error, `Could not save: ${String(cause)}`),
    );
  }

  async #submit(avatarUrl: string): Promise<void> {
    const { saved } = this.#parts;
    setText(saved, '');
    await this.#onSave(avatarUrl);
    this.#dirty = false;
    setText(saved, avatarUrl === '' ? 'Default picture saved.' : 'Avatar saved.');
  }
}
