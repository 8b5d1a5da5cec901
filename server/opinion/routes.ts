import { Hono } from 'hono';
import {
  bulkTriageSchema,
  createSourceSchema,
  itemsQuerySchema,
  manualItemSchema,
  patchSourceSchema,
  patchTopicSchema,
  pushBodySchema,
  topicSchema,
  triageSchema,
} from '../../shared/opinion.ts';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { actorOf, body, idParam, parse, type AppEnv } from '../http/types.ts';
import { createSource, listSources, manualSourceId, patchSource, sourceByToken } from './sources.ts';
import { ingestItems } from './ingest.ts';
import { listItems, loadItems } from './items.ts';
import { triageItems } from './triage.ts';
import { createTopic, listTopics, patchTopic } from './topics.ts';
import { analysis, analysisQuerySchema } from './analysis.ts';
import { burstSettings, burstSettingsSchema, updateBurstSettings } from './bursts.ts';
import { parseHotlineCsv } from './csv-import.ts';
import type { FeedPoller } from './poller.ts';
import { canSeeIncident } from '../incidents/service.ts';

export function opinionRoutes(ctx: AppContext, poller: FeedPoller) {
  const app = new Hono<AppEnv>();

  app.get('/api/opinion/sources', async (c) => c.json({ items: await listSources(ctx, actorOf(c)) }));
  app.post('/api/opinion/sources', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const source = await createSource(ctx, actor, await body(c, createSourceSchema));
    if (source.kind === 'feed') ctx.pokeScheduler();
    return c.json({ source }, 201);
  });
  app.patch('/api/opinion/sources/:id', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const id = idParam(c);
    return c.json({ source: await patchSource(ctx, actor, id, await body(c, patchSourceSchema)) });
  });
  app.post('/api/opinion/sources/:id/poll', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const id = idParam(c);
    const sources = await listSources(ctx, actor);
    const source = sources.find((s) => s.id === String(id));
    if (!source) throw notFound('source');
    if (source.kind !== 'feed') throw new DomainError('invalid_state', 'only a feed source can be polled');
    const outcome = await poller.pollSource(id);
    const after = (await listSources(ctx, actor)).find((s) => s.id === String(id))!;
    return c.json({ source: after, added: outcome.added, duplicates: outcome.duplicates, notModified: outcome.notModified, error: outcome.error });
  });

  // Push sources (12345 hotline, mailbox, other systems) authenticate with their token alone.
  app.post('/api/opinion/push/:token', async (c) => {
    const source = await sourceByToken(ctx, c.req.param('token'));
    if (!source) throw new DomainError('unauthenticated', 'unknown push token');
    if (!source.enabled) throw new DomainError('forbidden', 'this push source is disabled');
    const input = await body(c, pushBodySchema);
    const r = await ingestItems(ctx, source.id, Array.isArray(input) ? input : [input]);
    return c.json({ added: r.added, duplicates: r.duplicates, ids: r.itemIds.map(String) }, 201);
  });

  app.get('/api/opinion/items', async (c) => c.json(await listItems(ctx, actorOf(c), parse(itemsQuerySchema, c.req.query()))));
  app.post('/api/opinion/items', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const input = await body(c, manualItemSchema);
    if (input.incidentId && !(await canSeeIncident(ctx, actor, Number(input.incidentId)))) throw invalid('incidentId', 'no such incident');
    const sourceId = input.sourceId ? Number(input.sourceId) : await manualSourceId(ctx);
    const r = await ingestItems(ctx, sourceId, [{ ...input, author: input.author ?? actor.name }]);
    if (r.itemIds.length === 0) throw new DomainError('conflict', 'this item is already recorded');
    return c.json({ item: (await loadItems(ctx, r.itemIds))[0] }, 201);
  });
  app.post('/api/opinion/import', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const items = parseHotlineCsv(await c.req.text());
    const sourceId = c.req.query('sourceId') ? Number(c.req.query('sourceId')) : await manualSourceId(ctx);
    const r = await ingestItems(ctx, sourceId, items);
    return c.json({ rows: items.length, added: r.added, duplicates: r.duplicates }, 201);
  });
  app.post('/api/opinion/items/:id/triage', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const id = idParam(c);
    const [item] = await triageItems(ctx, actor, [id], await body(c, triageSchema));
    return c.json({ item });
  });
  app.post('/api/opinion/triage', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const { itemIds, ...input } = await body(c, bulkTriageSchema);
    return c.json({ items: await triageItems(ctx, actor, itemIds.map(Number), input) });
  });

  app.get('/api/opinion/topics', async (c) => c.json({ items: await listTopics(ctx, actorOf(c)) }));
  app.post('/api/opinion/topics', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    return c.json({ topic: await createTopic(ctx, actor, await body(c, topicSchema)) }, 201);
  });
  app.patch('/api/opinion/topics/:id', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const id = idParam(c);
    return c.json({ topic: await patchTopic(ctx, actor, id, await body(c, patchTopicSchema)) });
  });

  app.get('/api/opinion/analysis', async (c) => c.json(await analysis(ctx, actorOf(c), parse(analysisQuerySchema, c.req.query()))));
  app.get('/api/opinion/settings', async (c) => {
    requireRole(actorOf(c), 'analyst', 'leader');
    return c.json({ burst: await burstSettings(ctx.db) });
  });
  app.put('/api/opinion/settings', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst');
    const burst = await body(c, burstSettingsSchema.partial().strict());
    return c.json({ burst: await updateBurstSettings(ctx, burst) });
  });
  return app;
}
