import type { PresenceMember, PresenceMeta } from '@lfsync/contracts';
import type { PresenceChange } from './presence.ts';
import type { SubscriptionError } from './subscription-error.ts';

/**
 * What a tab's app asks the connection for: the subscriptions and presences it holds. The connection serves
 * the union of every holder's claims (with tabs, the leader tab's connection serves every tab).
 */
export interface Claims {
  readonly subscriptions: readonly string[];
  readonly presences: readonly PresenceClaim[];
}

interface PresenceClaim {
  readonly repository: string;
  readonly meta: PresenceMeta;
}

/** A subscription as the connection sees it, for the holders' handles. */
export interface SubscriptionView {
  readonly type: 'subscription';
  readonly repository: string;
  readonly status: 'pending' | 'live' | 'refused';
  readonly error: SubscriptionError | undefined;
}

/** A presence membership as the connection sees it, with what changed last, for the holders' handles. */
export interface PresenceView {
  readonly type: 'presence';
  readonly repository: string;
  readonly status: 'pending' | 'joined' | 'refused';
  readonly error: SubscriptionError | undefined;
  readonly sessionId: string | undefined;
  readonly members: readonly PresenceMember[];
  readonly change: PresenceChange;
}

export type WireView = SubscriptionView | PresenceView;
