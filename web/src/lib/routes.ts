// Hash routes of the console (pure parsing, testable).

export type Route =
  | { name: 'board' }
  | { name: 'new' }
  | { name: 'incident'; id: string }
  | { name: 'notFound'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  if (path === '/' || path === '') return { name: 'board' };
  if (path === '/new') return { name: 'new' };
  const m = /^\/incidents\/([^/?#]+)$/.exec(path);
  if (m) return { name: 'incident', id: decodeURIComponent(m[1]) };
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
    case 'notFound':
      return `#${route.path}`;
  }
}

export const incidentHref = (id: string) => routeHref({ name: 'incident', id });
