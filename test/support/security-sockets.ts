// socket.io clients for the security suites: sign in, connect with the session cookie, record every message.
import { io, type Socket } from 'socket.io-client';
import type { BeaconEvent } from '../../shared/domain.ts';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

export interface Client {
  login: string;
  socket: Socket;
  events: BeaconEvent[];
  /** Every message of any name, in arrival order (presence included). */
  messages: { name: string; data: unknown }[];
  /** Emits `watch` and resolves with the acknowledgement. */
  watch(incidentId: unknown): Promise<{ ok: boolean; error?: string }>;
  next(match: (e: BeaconEvent) => boolean, what: string, ms?: number): Promise<BeaconEvent>;
  close(): void;
}

export async function connectClient(url: string, login: string, cookie: string): Promise<Client> {
  const socket = io(url, { extraHeaders: { cookie }, transports: ['websocket'], reconnection: false, forceNew: true });
  const events: BeaconEvent[] = [];
  const messages: { name: string; data: unknown }[] = [];
  socket.onAny((name: string, data: unknown) => {
    messages.push({ name, data });
    if (name === 'event') events.push(data as BeaconEvent);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${login}: no hello within 5 s`)), 5000);
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('hello', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return {
    login,
    socket,
    events,
    messages,
    watch: (incidentId) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${login}: no ack to watch`)), 5000);
        socket.emit('watch', { incidentId }, (r: { ok: boolean; error?: string }) => {
          clearTimeout(timer);
          resolve(r);
        });
      }),
    async next(match, what, ms = 5000) {
      await waitFor(() => events.some(match), ms, `${login} to receive ${what}`);
      return events.find(match)!;
    },
    close: () => socket.disconnect(),
  };
}
