// The current hash route as reactive state.
import { parseHash, type Route } from './routes.ts';

class Router {
  route = $state<Route>(parseHash(typeof location === 'undefined' ? '' : location.hash));
}

export const router = new Router();

if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    router.route = parseHash(location.hash);
    window.scrollTo(0, 0);
  });
}

/** Go to a hash path such as "#/incidents/12". */
export function navigate(href: string): void {
  if (location.hash === href) router.route = parseHash(href);
  else location.hash = href;
}
