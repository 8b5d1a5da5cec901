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
  | { name: 'notFound'; path: string };

export function parseHash(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const q = raw.indexOf('?');
  const path = (q < 0 ? raw : raw.slice(0, q)).replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  if (path === '/' || path === '') return { name: 'board' };
  if (path === '/new') return { name: 'new' };
  if (path === '/review') return { name: 'review', id: null };
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
    case 'notFound':
      return `#${route.path}`;
  }
}

export const incidentHref = (id: string) => routeHref({ name: 'incident', id });
export const releaseHref = (id: string) => routeHref({ name: 'release', id });
export const reviewHref = (id: string | null = null) => routeHref({ name: 'review', id });
export const newReleaseHref = (incidentId: string, corrects: string | null = null) =>
  routeHref({ name: 'newRelease', incidentId, corrects });
