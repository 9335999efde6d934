import { checkUsername } from '../model/username.ts';
import { h, setText } from './dom.ts';

export interface SignInViewOptions {
  readonly onSignIn: (username: string) => Promise<void>;
  /** Shown under the form, e.g. why the last sign-in failed. */
  readonly notice?: string;
}

interface SignInForm {
  readonly form: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly error: HTMLElement;
  readonly submit: HTMLButtonElement;
}

/** The sign-in screen: a username, trimmed; an empty one is refused with a message next to the field. */
export function renderSignIn(root: HTMLElement, options: SignInViewOptions): () => void {
  const parts = signInForm(options.notice);
  parts.form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitSignIn(parts, options.onSignIn);
  });
  const { input, error } = parts;
  input.addEventListener('input', () => {
    if (input.hasAttribute('aria-invalid') && input.value.trim() !== '') {
      input.removeAttribute('aria-invalid');
      setText(error, '');
    }
  });

  const main = h('main', { id: 'main', class: 'sign-in-page' }, parts.form);
  root.replaceChildren(main);
  input.focus();
  return () => main.remove();
}

function signInForm(notice: string | undefined): SignInForm {
  const error = h('p', { id: 'username-error', class: 'field-error', role: 'alert' });
  const input = h('input', {
    id: 'username',
    name: 'username',
    type: 'text',
    autocomplete: 'username',
    autocapitalize: 'none',
    spellcheck: 'false',
    maxlength: 64,
    'aria-describedby': 'username-hint username-error',
  });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'sign-in card', novalidate: true, 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Shared counter'),
    h(
      'p',
      { class: 'lead' },
      'Count together, online or offline. Every click is saved on this device first and synced when a connection is available.',
    ),
    h('label', { for: 'username' }, 'Username'),
    input,
    h('p', { id: 'username-hint', class: 'hint' }, 'Any name works: it identifies you to the others.'),
    error,
    submit,
    notice === undefined ? null : h('p', { class: 'notice', role: 'status' }, notice),
  );
  return { form, input, error, submit };
}

function submitSignIn(
  { input, error, submit }: SignInForm,
  onSignIn: (username: string) => Promise<void>,
): void {
  const check = checkUsername(input.value);
  if (!check.ok) {
    setText(error, check.message);
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  setText(error, '');
  input.removeAttribute('aria-invalid');
  submit.disabled = true;
  onSignIn(check.username).catch((cause: unknown) => {
    submit.disabled = false;
    setText(error, `Could not sign in: ${cause instanceof Error ? cause.message : String(cause)}`);
  });
}
