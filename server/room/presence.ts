// Who is looking at an incident right now: the sockets that `watch` it, per user, in memory in this process.
// Several processes behind a load balancer each know only their own sockets (presence across processes would need
// the socket.io adapter's fetchSockets or a shared store; out of scope for now).
import type { PresenceMessage, PresenceUser } from '../../shared/coordination.ts';
import type { AppContext } from '../context.ts';

interface Watcher {
  userId: number;
  name: string;
  since: Date;
}

export class PresenceTracker {
  /** incident id → socket id → who. */
  #byIncident = new Map<number, Map<string, Watcher>>();
  /** socket id → incidents it watches (to clean up on disconnect). */
  #bySocket = new Map<string, Set<number>>();

  /** Records that a socket watches an incident; false if it already did. */
  join(incidentId: number, socketId: string, user: { id: number; name: string }, at: Date): boolean {
    let sockets = this.#byIncident.get(incidentId);
    if (!sockets) this.#byIncident.set(incidentId, (sockets = new Map()));
    if (sockets.has(socketId)) return false;
    sockets.set(socketId, { userId: user.id, name: user.name, since: at });
    let incidents = this.#bySocket.get(socketId);
    if (!incidents) this.#bySocket.set(socketId, (incidents = new Set()));
    incidents.add(incidentId);
    return true;
  }

  /** A socket stops watching an incident; false if it was not. */
  leave(incidentId: number, socketId: string): boolean {
    const sockets = this.#byIncident.get(incidentId);
    if (!sockets?.delete(socketId)) return false;
    if (sockets.size === 0) this.#byIncident.delete(incidentId);
    const incidents = this.#bySocket.get(socketId);
    incidents?.delete(incidentId);
    if (incidents?.size === 0) this.#bySocket.delete(socketId);
    return true;
  }

  /** A socket went away: it leaves every incident it watched. Returns those incidents. */
  leaveAll(socketId: string): number[] {
    const incidents = [...(this.#bySocket.get(socketId) ?? [])];
    for (const id of incidents) this.leave(id, socketId);
    return incidents;
  }

  /** The users watching an incident (one entry per user however many tabs), longest present first. */
  users(incidentId: number): PresenceUser[] {
    const byUser = new Map<number, Watcher>();
    for (const w of this.#byIncident.get(incidentId)?.values() ?? []) {
      const seen = byUser.get(w.userId);
      if (!seen || w.since < seen.since) byUser.set(w.userId, w);
    }
    return [...byUser.values()]
      .sort((a, b) => a.since.getTime() - b.since.getTime() || a.userId - b.userId)
      .map((w) => ({ id: String(w.userId), name: w.name, since: w.since.toISOString() }));
  }

  message(incidentId: number): PresenceMessage {
    return { incidentId: String(incidentId), users: this.users(incidentId) };
  }
}

const trackers = new WeakMap<AppContext, PresenceTracker>();

/** The presence tracker of a running Beacon (one per context, so parallel test servers stay apart). */
export function presenceOf(ctx: AppContext): PresenceTracker {
  let tracker = trackers.get(ctx);
  if (!tracker) trackers.set(ctx, (tracker = new PresenceTracker()));
  return tracker;
}
