// Row → wire shapes for channels and deliveries. Ids are strings, timestamps ISO-8601 UTC, secrets never leave.
import type { Selectable } from 'kysely';
import type { ChannelsTable, DeliveriesTable } from '../db/schema.ts';
import { secretHint } from './signature.ts';

export type ChannelRow = Selectable<ChannelsTable>;
export type DeliveryRow = Selectable<DeliveriesTable>;

export interface Channel {
  id: string;
  name: string;
  url: string;
  enabled: boolean;
  /** The last characters of the secret, so an admin can tell which one a receiver holds. */
  secretHint: string;
  createdAt: string;
  /** Deliveries still to go (including retries) and given up, across all releases. */
  pending: number;
  failed: number;
  lastDeliveredAt: string | null;
}

export interface Delivery {
  id: string;
  channelId: string;
  channelName: string;
  releaseId: string;
  action: 'published' | 'retracted';
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  /** When the next attempt is due; null once delivered or failed. */
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toChannel(r: ChannelRow, stats: { pending: number; failed: number; lastDeliveredAt: Date | null }): Channel {
  return {
    id: String(r.id),
    name: r.name,
    url: r.url,
    enabled: r.enabled,
    secretHint: secretHint(r.secret),
    createdAt: r.created_at.toISOString(),
    pending: stats.pending,
    failed: stats.failed,
    lastDeliveredAt: iso(stats.lastDeliveredAt),
  };
}

export function toDelivery(r: DeliveryRow, channelName: string): Delivery {
  return {
    id: String(r.id),
    channelId: String(r.channel_id),
    channelName,
    releaseId: String(r.release_id),
    action: r.action,
    status: r.status,
    attempts: r.attempts,
    lastStatus: r.last_status,
    lastError: r.last_error,
    nextAttemptAt: r.status === 'pending' ? r.next_attempt_at.toISOString() : null,
    deliveredAt: iso(r.delivered_at),
    createdAt: r.created_at.toISOString(),
  };
}
