// Hash routes of the console (pure parsing, testable).

export type Route =
  | { name: 'board' }
  | { name: 'new' }
  | { name: 'incident'; id: string }
  | { name: 'release'; id: string }
  /** A new release for an incident; `corrects` prefills a correction of that published release. */
  | { name: 'newRelease'; incidentId: string; corrects: string | null }
  /** The leader's review queue, optionally with one release open beside it. */
  | { name: 'review'; id: string | null }
  /** The analysts' triage queue of public-opinion items. */
  | { name: 'opinion' }
  /** Feed and push sources, imports, manual items and topic rules. */
  | { name: 'opinionSources' }
  /** Volume and sentiment over time for an incident or a topic (or everything). */
  | { name: 'opinionAnalysis'; incidentId: string | null; topic: string | null }
  /** My department's task inbox. */
  | { name: 'tasks' }
  /** The leaders' wall display (full screen, no navigation chrome). */
  | { name: 'wall' }
  | { name: 'notFound'; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/' || path === '') return { name: 'board' };
  if (path === '/new') return { name: 'new' };
  if (path === '/review') return { name: 'review', id: null };
  if (path === '/tasks') return { name: 'tasks' };
  if (path === '/wall') return { name: 'wall' };
  if (path === '/opinion') return { name: 'opinion' };
  if (path === '/opinion/sources') return { name: 'opinionSources' };
  if (path === '/opinion/analysis') {
    return { name: 'opinionAnalysis', incidentId: query.get('incident') || null, topic: query.get('topic') || null };
  }
  let m = /^\/incidents\/([^/?#]+)$/.exec(path);
  if (m) return { name: 'incident', id: decodeURIComponent(m[1]) };
  m = /^\/incidents\/([^/?#]+)\/releases\/new$/.exec(path);
  if (m) return { name: 'newRelease', incidentId: decodeURIComponent(m[1]), corrects: query.get('corrects') || null };
  m = /^\/releases\/([^/?#]+)$/.exec(path);
  if (m) return { name: 'release', id: decodeURIComponent(m[1]) };
  m = /^\/review\/([^/?#]+)$/.exec(path);
  if (m) return { name: 'review', id: decodeURIComponent(m[1]) };
  return { name: 'notFound', path };
}

export function routeHref(route: Route): string {
  switch (route.name) {
    case 'board':
      return '#/';
    case 'new':
      return '#/new';
    case 'incident':
      return `#/incidents/${encodeURIComponent(route.id)}`;
    case 'release':
      return `#/releases/${encodeURIComponent(route.id)}`;
    case 'newRelease':
      return `#/incidents/${encodeURIComponent(route.incidentId)}/releases/new${
        route.corrects ? `?corrects=${encodeURIComponent(route.corrects)}` : ''
      }`;
    case 'review':
      return route.id ? `#/review/${encodeURIComponent(route.id)}` : '#/review';
    case 'opinion':
      return '#/opinion';
    case 'opinionSources':
      return '#/opinion/sources';
    case 'opinionAnalysis': {
      const q = new URLSearchParams();
      if (route.incidentId) q.set('incident', route.incidentId);
      if (route.topic) q.set('topic', route.topic);
      const qs = q.toString();
      return `#/opinion/analysis${qs ? `?${qs}` : ''}`;
    }
    case 'tasks':
      return '#/tasks';
    case 'wall':
      return '#/wall';
    case 'notFound':
      return `#${route.path}`;
  }
}

export const incidentHref = (id: string) => routeHref({ name: 'incident', id });
export const releaseHref = (id: string) => routeHref({ name: 'release', id });
export const reviewHref = (id: string | null = null) => routeHref({ name: 'review', id });
export const newReleaseHref = (incidentId: string, corrects: string | null = null) =>
  routeHref({ name: 'newRelease', incidentId, corrects });
export const opinionAnalysisHref = (scope: { incidentId?: string | null; topic?: string | null } = {}) =>
  routeHref({ name: 'opinionAnalysis', incidentId: scope.incidentId ?? null, topic: scope.topic ?? null });
