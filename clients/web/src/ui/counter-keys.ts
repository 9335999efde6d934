/** The `+` and `−` keys change the counter, except while typing in a field; returns the remover. */
export function listenForCounterKeys(change: (delta: 1 | -1) => void): () => void {
  const onKey = (event: KeyboardEvent): void => {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, textarea, select, [contenteditable]') != null) return;
    if (event.key === '+' || event.key === '=') change(1);
    else if (event.key === '-' || event.key === '−') change(-1);
    else return;
    event.preventDefault();
  };
  document.addEventListener('keydown', onKey);
  return () => document.removeEventListener('keydown', onKey);
}
