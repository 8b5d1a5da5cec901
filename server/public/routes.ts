// The public site, for anyone, no sign-in: /public (HTML), one page per release, RSS, Atom, the CAP index and one
// CAP document per release. HTTP only: the service reads, the pure modules render, this file answers (with
// conditional GET on everything it serves). Mount with `app.route('/', publicRoutes(ctx))` before the console's
// catch-all.
import { Hono, type Context } from 'hono';
import type { AppContext } from '../context.ts';
import type { AppEnv } from '../http/types.ts';
import { capForRelease, renderCap } from './cap.ts';
import { httpDate, isNotModified, PUBLIC_CACHE_CONTROL, strongEtag } from './conditional.ts';
import { renderAtom, renderCapIndex, renderRss } from './feeds.ts';
import { lastChange, releaseChanges, type ListedRelease, type ReleaseContext } from './model.ts';
import { PAGE_CSP, renderIndex, renderNotFound, renderRelease } from './pages.ts';
import { getPublicRelease, listCapContexts, listPublicReleases } from './service.ts';
import { DEFAULT_SITE, SiteUrls, type PublicSiteOptions } from './site.ts';

export const CONTENT_TYPES = {
  html: 'text/html; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  cap: 'application/cap+xml; charset=utf-8',
} as const;

type C = Context<AppEnv>;

/** Answers a GET with `body`, or 304 when the client already holds exactly these bytes. */
function send(c: C, body: string, type: keyof typeof CONTENT_TYPES, lastModified: Date | null): Response {
  const etag = strongEtag(body);
  const headers: Record<string, string> = {
    ETag: etag,
    'Cache-Control': PUBLIC_CACHE_CONTROL,
    'X-Content-Type-Options': 'nosniff',
  };
  if (lastModified) headers['Last-Modified'] = httpDate(lastModified);
  if (type === 'html') {
    headers['Content-Security-Policy'] = PAGE_CSP;
    headers['Referrer-Policy'] = 'strict-origin-when-cross-origin';
  }
  const conditional = { ifNoneMatch: c.req.header('if-none-match'), ifModifiedSince: c.req.header('if-modified-since') };
  if (isNotModified(conditional, etag, lastModified)) return c.body(null, 304, headers);
  return c.body(body, 200, { ...headers, 'Content-Type': CONTENT_TYPES[type] });
}

/** The ids a path may name: a positive int4 (anything else names nothing). */
function releaseId(raw: string | undefined): number | null {
  if (!raw || !/^[1-9]\d{0,8}$/.test(raw)) return null;
  return Number(raw);
}

function listChanged(items: ListedRelease[]): Date | null {
  return lastChange(items.flatMap((r) => [...releaseChanges(r), r.incident.updatedAt]));
}

function contextChanged(x: ReleaseContext): Date | null {
  return lastChange([
    x.incident.updatedAt,
    ...releaseChanges(x.release),
    ...x.thread.flatMap(releaseChanges),
    ...(x.corrects ? releaseChanges(x.corrects) : []),
    ...x.correctedBy.flatMap(releaseChanges),
  ]);
}

export function publicRoutes(ctx: AppContext, options: Partial<PublicSiteOptions> = {}): Hono<AppEnv> {
  const site: PublicSiteOptions = { ...DEFAULT_SITE, ...options };
  const app = new Hono<AppEnv>();
  const paths = new SiteUrls('');
  const urlsOf = (c: C) => new SiteUrls(site.baseUrl ?? new URL(c.req.url).origin);
  const pageSite = (c: C) => ({ paths, urls: urlsOf(c), authority: site.authority, publisher: site.publisher });
  const feedSite = (c: C) => ({ urls: urlsOf(c), authority: site.authority, publisher: site.publisher });
  const capSite = (c: C) => ({ urls: urlsOf(c), publisher: site.publisher, defaultArea: site.defaultArea });

  const notFound = (c: C, type: 'html' | 'text' = 'html') => {
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    if (type === 'text') return c.text('not found: no published release with this id', 404);
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(renderNotFound(pageSite(c)), 404);
  };

  const index = async (c: C) => {
    const items = await listPublicReleases(ctx, site.listLimit);
    return send(c, renderIndex(items, pageSite(c)), 'html', listChanged(items));
  };
  app.get('/public', index);
  app.get('/public/', index);

  app.get('/public/feed.rss', async (c) => {
    const items = await listPublicReleases(ctx, site.feedLimit);
    return send(c, renderRss(items, feedSite(c)), 'rss', listChanged(items));
  });

  app.get('/public/feed.atom', async (c) => {
    const items = await listPublicReleases(ctx, site.feedLimit);
    return send(c, renderAtom(items, feedSite(c)), 'atom', listChanged(items));
  });

  app.get('/public/cap.atom', async (c) => {
    const entries = await listCapContexts(ctx, site.feedLimit);
    const cs = capSite(c);
    const body = renderCapIndex(
      entries.map((e) => ({ release: e.listed, cap: capForRelease(e.context, cs) })),
      feedSite(c),
    );
    return send(c, body, 'atom', lastChange(entries.map((e) => contextChanged(e.context))));
  });

  app.get('/public/releases/:id', async (c) => {
    const id = releaseId(c.req.param('id'));
    const context = id === null ? null : await getPublicRelease(ctx, id);
    if (!context) return notFound(c);
    return send(c, renderRelease(context, pageSite(c)), 'html', contextChanged(context));
  });

  app.get('/public/releases/:id/cap.xml', async (c) => {
    const id = releaseId(c.req.param('id'));
    const context = id === null ? null : await getPublicRelease(ctx, id);
    if (!context) return notFound(c, 'text');
    return send(c, renderCap(capForRelease(context, capSite(c))), 'cap', contextChanged(context));
  });

  app.get('/public/*', (c) => notFound(c));
  return app;
}
