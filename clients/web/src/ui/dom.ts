type Listener = (event: Event) => void;
type AttributeValue = string | number | boolean | undefined | null;
export type Attributes = Record<string, AttributeValue | Listener>;
export type Child = Node | string | number | null | undefined | false;

/**
 * `h('button', { class: 'big', onclick: go }, 'Go')`: an element with attributes (`on…` keys add listeners,
 * `true` sets an empty attribute, `false`/`undefined`/`null` leaves it out) and children (strings become text).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      setAttribute(element, name, value);
    }
  }
  append(element, children);
  return element;
}

function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function setAttribute(element: Element, name: string, value: AttributeValue): void {
  if (value === undefined || value === null || value === false) element.removeAttribute(name);
  else element.setAttribute(name, value === true ? '' : String(value));
}

/** Sets the text only when it differs, so that live regions announce real changes only. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Makes `container`'s children match `items` by key: existing elements are updated in place and moved only
 * when out of order, new ones created, missing ones removed. Screen readers then announce only what was added
 * to a live list, and focus and images survive re-renders.
 */
export function reconcileList<T, E extends Element>(
  container: Element,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => E,
  update: (element: E, item: T) => void,
): void {
  const existing = new Map<string, E>();
  for (const child of Array.from(container.children)) {
    const k = (child as HTMLElement).dataset['key'];
    if (k !== undefined) existing.set(k, child as E);
  }
  let cursor: Element | null = container.firstElementChild;
  for (const item of items) {
    const k = key(item);
    let element = existing.get(k);
    if (element === undefined) {
      element = create(item);
      (element as unknown as HTMLElement).dataset['key'] = k;
    } else {
      existing.delete(k);
      update(element, item);
    }
    if (element === cursor) {
      cursor = cursor.nextElementSibling;
    } else {
      container.insertBefore(element, cursor);
    }
  }
  for (const stale of existing.values()) stale.remove();
}
