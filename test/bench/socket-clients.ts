// A worker thread holding many socket.io-client connections for the fan-out bench (fanout.bench.ts), so the
// clients' own work (frame parsing, decoding) runs on a thread of its own instead of on the server's event loop.
//
// Messages in (from the bench): {cmd:'connect', url, cookies, greeting, batch} · {cmd:'ping', t} · {cmd:'collect'}
// · {cmd:'disconnect'}. Out: {type:'connected', ok, failed, ms} · {type:'got', id} once every counted client of
// this worker has an event · {type:'pong', t, w} · {type:'receipts', ...} · {type:'disconnected'}.
//
// Receipt times are `performance.timeOrigin + performance.now()`, comparable across the threads of one process
// (the bench also measures the offset with pings and corrects for it).
import { parentPort } from 'node:worker_threads';
import { io, type Socket } from 'socket.io-client';

if (!parentPort) throw new Error('socket-clients.ts runs as a worker thread');
const port = parentPort;

interface ConnectCmd {
  cmd: 'connect';
  url: string;
  /** One entry per client: the Cookie header, or '' for none. */
  cookies: string[];
  /** Which clients count towards the fan-out (the others are a control group that must receive nothing). */
  counted: boolean[];
  /** The message that says a client is ready: 'hello' (Beacon greets after joining the rooms) or 'connect'. */
  greeting: 'hello' | 'connect';
  /** How many handshakes are in flight at once. */
  batch: number;
}

const now = () => performance.timeOrigin + performance.now();

let sockets: Socket[] = [];
let countedTotal = 0;
/** event id → receipt times of counted clients */
let receipts = new Map<string, number[]>();
/** events received by clients that should not see them */
let leaked = 0;
/** the same event twice on one socket */
let duplicates = 0;

function connectOne(url: string, cookie: string, counted: boolean, greeting: 'hello' | 'connect'): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
      timeout: 60_000,
      extraHeaders: cookie ? { cookie } : {},
    });
    const seen = new Set<string>();
    socket.on('event', (e: { id: string }) => {
      const t = now();
      if (!counted) {
        leaked++;
        return;
      }
      if (seen.has(e.id)) {
        duplicates++;
        return;
      }
      seen.add(e.id);
      let list = receipts.get(e.id);
      if (!list) receipts.set(e.id, (list = []));
      list.push(t);
      if (list.length === countedTotal) port.postMessage({ type: 'got', id: e.id });
    });
    let settled = false;
    const done = (s: Socket | null) => {
      if (settled) return;
      settled = true;
      resolve(s);
    };
    socket.once(greeting, () => done(socket));
    socket.once('connect_error', () => {
      socket.close();
      done(null);
    });
  });
}

port.on('message', async (msg: { cmd: string } & Record<string, any>) => {
  if (msg.cmd === 'connect') {
    const m = msg as ConnectCmd;
    const started = performance.now();
    countedTotal = m.counted.filter(Boolean).length;
    receipts = new Map();
    leaked = 0;
    duplicates = 0;
    let failed = 0;
    for (let i = 0; i < m.cookies.length; i += m.batch) {
      const wave = await Promise.all(
        m.cookies.slice(i, i + m.batch).map((cookie, k) => connectOne(m.url, cookie, m.counted[i + k], m.greeting)),
      );
      for (const s of wave) {
        if (s) sockets.push(s);
        else failed++;
      }
    }
    port.postMessage({ type: 'connected', ok: sockets.length, failed, ms: performance.now() - started });
  } else if (msg.cmd === 'ping') {
    port.postMessage({ type: 'pong', t: msg.t, w: now() });
  } else if (msg.cmd === 'collect') {
    port.postMessage({ type: 'receipts', receipts: [...receipts.entries()], leaked, duplicates });
    receipts = new Map();
  } else if (msg.cmd === 'disconnect') {
    for (const s of sockets) s.close();
    sockets = [];
    // Let the closes reach the server before the bench tears it down or connects the next set.
    setTimeout(() => port.postMessage({ type: 'disconnected' }), 500);
  } else if (msg.cmd === 'exit') {
    process.exit(0);
  }
});
