// Prometheus metrics, one registry per app instance (so tests can build several).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(withDefaults = true) {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'beacon_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'beacon_http_request_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    socketClients: new Gauge({ name: 'beacon_socket_clients', help: 'Connected socket clients', registers: [registry] }),
    events: new Counter({
      name: 'beacon_events_total',
      help: 'Events committed to the log, by type',
      labelNames: ['type'] as const,
      registers: [registry],
    }),
    deadlines: new Counter({
      name: 'beacon_deadline_transitions_total',
      help: 'Deadline warnings, misses, meets and waivers',
      labelNames: ['transition'] as const,
      registers: [registry],
    }),
    schedulerLag: new Histogram({
      name: 'beacon_scheduler_lag_seconds',
      help: 'Delay between a timer falling due and its handling',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 30, 300],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
