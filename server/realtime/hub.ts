// socket.io on the app's HTTP server: cookie-authenticated handshakes, rooms per user and department,
// and committed events emitted only to those allowed to see them.
import type { Server as HttpServer } from 'node:http';
import { createHash } from 'node:crypto';
import { Server, type Socket } from 'socket.io';
import { parse as parseCookie } from 'hono/utils/cookie';
import type { Hello } from '../../shared/domain.ts';
import type { AppContext } from '../context.ts';
import type { Actor } from '../auth/actor.ts';
import { actorForSession, actorToUser } from '../auth/service.ts';
import { lastEventId, toWireEvent, type EventRow } from '../audit/event-log.ts';
import { visibleIncidentIds } from '../incidents/service.ts';
import { presenceOf } from '../room/presence.ts';
import type { RealtimeCluster } from './adapter.ts';

export const rooms = {
  user: (id: number | string) => `user:${id}`,
  dept: (id: number | string) => `dept:${id}`,
  incident: (id: number | string) => `incident:${id}`,
  dashboard: 'dashboard',
  /** Every socket of one session (a hash: room names travel between processes through PostgreSQL). */
  session: (sid: string) => `session:${createHash('sha256').update(sid).digest('hex').slice(0, 32)}`,
};

/** The rooms an event goes to: every department and user it is scoped to, or everyone when public. */
export function roomsFor(event: Pick<EventRow, 'deptIds' | 'userIds' | 'isPublic'>): string[] | 'all' {
  if (event.isPublic) return 'all';
  return [...event.deptIds.map(rooms.dept), ...event.userIds.map(rooms.user)];
}

/**
 * With `cluster` (several processes on PostgreSQL, ./adapter.ts) broadcasts reach the sockets of every process. Each
 * committed event is emitted here once, by the process that committed it (the bus below only hears this process's
 * commits), and the adapter hands it to the others, which deliver it to their own sockets without emitting it again.
 */
export function attachRealtime(
  ctx: AppContext,
  httpServer: HttpServer,
  sessionCookie = 'sid',
  cluster: Pick<RealtimeCluster, 'adapter' | 'onRelisten'> | null = null,
): Server {
  const io = new Server(httpServer, { serveClient: false, cors: undefined, ...(cluster && { adapter: cluster.adapter }) });

  io.use(async (socket, next) => {
    try {
      const sid = parseCookie(socket.handshake.headers.cookie ?? '')[sessionCookie];
      const actor = await actorForSession(ctx, sid);
      if (!actor) return next(new Error('unauthorized'));
      socket.data.actor = actor;
      socket.data.sessionId = sid;
      next();
    } catch (err) {
      ctx.log.error({ err }, 'socket handshake failed');
      next(new Error('unavailable'));
    }
  });

  // Who watches each incident (in this process): `presence {incidentId, users}` to its room on every change. Only to
  // this process's sockets: another process's list is its own, and broadcasting both would make them alternate.
  const presence = presenceOf(ctx);
  const sendPresence = (incidentId: number) => io.local.to(rooms.incident(incidentId)).emit('presence', presence.message(incidentId));

  const greet = async (socket: Socket, lastId?: number) => {
    try {
      const hello: Hello = {
        serverNow: ctx.clock.now().toISOString(),
        user: actorToUser(socket.data.actor as Actor),
        lastEventId: String(lastId ?? (await lastEventId(ctx.db))),
      };
      socket.emit('hello', hello);
    } catch (err) {
      // The client reconnects and resyncs; a database hiccup must not take the process down.
      ctx.log.warn({ err }, 'could not greet a socket client; disconnecting it');
      socket.disconnect(true);
    }
  };

  io.on('connection', async (socket: Socket) => {
    const actor = socket.data.actor as Actor;
    ctx.metrics.socketClients.inc();
    socket.on('disconnect', () => {
      ctx.metrics.socketClients.dec();
      for (const id of presence.leaveAll(socket.id)) sendPresence(id);
    });
    socket.join([
      rooms.user(actor.id),
      rooms.dept(actor.departmentId),
      rooms.session(socket.data.sessionId as string),
      ...(actor.coordinating ? [rooms.dashboard] : []),
    ]);

    socket.on('watch', async (msg: { incidentId?: unknown }, ack?: (r: unknown) => void) => {
      const id = Number(msg?.incidentId);
      const allowed = Number.isInteger(id) && id > 0 && id <= 2_147_483_647 && (await visibleIncidentIds(ctx, actor, [id]).catch(() => [])).length === 1;
      // A socket that went away while the check ran must not be left behind as present.
      if (allowed && socket.connected) {
        socket.join(rooms.incident(id));
        if (presence.join(id, socket.id, actor, ctx.clock.now())) sendPresence(id);
        else socket.emit('presence', presence.message(id));
      }
      if (typeof ack === 'function') ack(allowed ? { ok: true } : { ok: false, error: 'not_found' });
    });
    socket.on('unwatch', (msg: { incidentId?: unknown }) => {
      socket.leave(rooms.incident(String(msg?.incidentId)));
      const id = Number(msg?.incidentId);
      if (Number.isInteger(id) && presence.leave(id, socket.id)) sendPresence(id);
    });

    await greet(socket);
  });

  // A session ended over HTTP ends its live connections too, on every process.
  const offSignOut = ctx.sessionEnded.on((sessionId) => io.in(rooms.session(sessionId)).disconnectSockets(true));

  // Broadcasts from other processes were lost while this one was not LISTENing (a PostgreSQL restart): a second
  // `hello` makes each client fetch what it missed from /api/events. Spread over two seconds, not all at once.
  const offRelisten = cluster?.onRelisten(async () => {
    let lastId: number;
    try {
      lastId = await lastEventId(ctx.db);
    } catch (err) {
      ctx.log.warn({ err }, 'could not greet the socket clients again after the LISTEN connection came back');
      return;
    }
    for (const socket of io.sockets.sockets.values()) {
      setTimeout(() => socket.connected && void greet(socket, lastId), Math.random() * 2000).unref();
    }
  });

  const off = ctx.bus.on((events) => {
    for (const event of events) {
      const target = roomsFor(event);
      const wire = toWireEvent(event);
      if (target === 'all') io.emit('event', wire);
      else if (target.length) io.to(target).emit('event', wire);
    }
  });
  io.engine.on('close', () => {
    off();
    offSignOut();
    offRelisten?.();
  });
  return io;
}
