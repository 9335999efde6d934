import type { Unsubscribe } from '../emitter.ts';
import type { SubscriptionSet } from './subscription-set.ts';
import type { WireView } from './views.ts';
import type { WireSubscriptions } from './wire-subscriptions.ts';

/** This tab's own connection serves its app: the app's claims are held as `holder`, the views set its handles. */
export function serveLocally(set: SubscriptionSet, wire: WireSubscriptions, holder: string): Unsubscribe {
  const apply = (views: readonly WireView[]): void => {
    for (const view of views) set.apply(view);
  };
  apply(wire.hold(holder, set.claims));
  const stops = [
    set.onClaimsChange((claims) => apply(wire.hold(holder, claims))),
    wire.onChange((view) => set.apply(view)),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}
