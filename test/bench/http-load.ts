// A small closed-loop HTTP load generator for the benches: `connections` keep-alive connections, each sending its next
// GET as soon as the previous response has been read in full, for `seconds` after a short warm-up, from a worker
// thread (so the server under test keeps the main thread; on the 2-core machine the two threads get a core each).
// Latencies are per request, from the call to the last byte, in fractional milliseconds.
//
// `httpLoad()` is for the bench; the same file runs as the worker.
import http from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /** Requests in this first part are sent but not counted. */
  warmupMs?: number;
}

export interface LoadResult {
  requests: number;
  /** Requests a second over the measured period. */
  rps: number;
  /** Ascending, ms. */
  latencies: Float64Array;
  errors: number;
  /** Responses whose status was not 2xx. */
  non2xx: number;
  bytes: number;
  seconds: number;
}

export function httpLoad(opts: LoadOptions): Promise<LoadResult> {
  // tsx's loader does not follow into worker threads on Node 20: register it in the worker first.
  const self = new URL(import.meta.url).href;
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(self)}); })`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: opts });
    worker.once('message', (r: LoadResult) => {
      resolve(r);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

async function runWorker(opts: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const warmupEnd = performance.now() + (opts.warmupMs ?? 500);
  const end = warmupEnd + opts.seconds * 1000;
  const latencies: number[] = [];
  let errors = 0;
  let non2xx = 0;
  let bytes = 0;
  const once = () =>
    new Promise<void>((resolve) => {
      const started = performance.now();
      const req = http.get(opts.url, { agent, headers: opts.headers }, (res) => {
        let n = 0;
        res.on('data', (chunk: Buffer) => (n += chunk.length));
        res.on('end', () => {
          const t = performance.now();
          if (started >= warmupEnd && t <= end) {
            latencies.push(t - started);
            bytes += n;
            if (!res.statusCode || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
          }
          resolve();
        });
        res.on('error', () => {
          errors++;
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: opts.connections }, async () => {
      while (performance.now() < end) await once();
    }),
  );
  agent.destroy();
  const sorted = Float64Array.from(latencies).sort();
  return { requests: sorted.length, rps: sorted.length / opts.seconds, latencies: sorted, errors, non2xx, bytes, seconds: opts.seconds };
}

if (!isMainThread && parentPort && workerData && typeof (workerData as LoadOptions).url === 'string') {
  const result = await runWorker(workerData as LoadOptions);
  parentPort.postMessage(result, [result.latencies.buffer as ArrayBuffer]);
}
