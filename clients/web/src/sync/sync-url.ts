/** The gateway's WebSocket endpoint on the page's own host: `ws://host/sync`, or `wss://` under https. */
export function syncUrlFor(location: { readonly protocol: string; readonly host: string }): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/sync`;
}
