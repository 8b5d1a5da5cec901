// Report routes: JSON by default, `?format=html` (printable page) and `?format=csv` where offered.
import { Hono } from 'hono';
import type { AppContext } from '../context.ts';
import { requireRole } from '../auth/actor.ts';
import { invalid } from '../errors.ts';
import { actorOf, body, idParam, type AppEnv, type Ctx } from '../http/types.ts';
import { complianceReport, incidentReport, parsePeriod } from './service.ts';
import { renderComplianceReport, renderDailyBriefing, renderIncidentReport } from './html.ts';
import { complianceCsv, incidentCsv } from './csv-reports.ts';
import { dailyBriefingFor, dailyBriefingSettings, dailySettingsSchema, nextRunAt, parseBriefingDate, saveDailyBriefingSettings } from './daily.ts';

type Format = 'json' | 'html' | 'csv';

function formatOf(c: Ctx, allowed: Format[]): Format {
  const raw = c.req.query('format') ?? 'json';
  if (!(allowed as string[]).includes(raw)) throw invalid('format', `must be one of ${allowed.join(', ')}`);
  return raw as Format;
}

/** Reports are snapshots of accountability data: not cached by browsers or proxies. */
function noStore(c: Ctx) {
  c.header('Cache-Control', 'no-store');
}

function html(c: Ctx, page: string) {
  noStore(c);
  // The page is self-contained: no script, no external request of any kind.
  c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'");
  c.header('X-Content-Type-Options', 'nosniff');
  return c.html(page);
}

function csv(c: Ctx, text: string, asciiName: string, name: string) {
  noStore(c);
  c.header('Content-Type', 'text/csv; charset=utf-8');
  c.header('Content-Disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`);
  c.header('X-Content-Type-Options', 'nosniff');
  return c.body(text);
}

export function reportRoutes(ctx: AppContext) {
  const app = new Hono<AppEnv>();

  app.get('/api/reports/incidents/:id', async (c) => {
    const actor = actorOf(c);
    const id = idParam(c);
    const format = formatOf(c, ['json', 'html', 'csv']);
    const report = await incidentReport(ctx, actor, id);
    if (format === 'html') return html(c, renderIncidentReport(report));
    if (format === 'csv') return csv(c, incidentCsv(report), `incident-${id}-report.csv`, `事后评估报告-${id}.csv`);
    noStore(c);
    return c.json(report);
  });

  app.get('/api/reports/compliance', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'leader');
    const format = formatOf(c, ['json', 'html', 'csv']);
    const period = parsePeriod({ from: c.req.query('from'), to: c.req.query('to') });
    const report = await complianceReport(ctx, actor, period);
    if (format === 'html') return html(c, renderComplianceReport(report));
    if (format === 'csv') {
      const span = `${report.from.slice(0, 10)}_${report.to.slice(0, 10)}`;
      return csv(c, complianceCsv(report), `compliance-${span}.csv`, `时限执行情况-${span}.csv`);
    }
    noStore(c);
    return c.json(report);
  });

  app.get('/api/reports/daily', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'analyst', 'leader');
    const format = formatOf(c, ['json', 'html']);
    const date = parseBriefingDate(c.req.query('date'), ctx.clock.now());
    const briefing = await dailyBriefingFor(ctx, actor, date);
    if (format === 'html') return html(c, renderDailyBriefing(briefing));
    noStore(c);
    return c.json(briefing);
  });

  app.get('/api/reports/daily/settings', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin', 'analyst', 'leader');
    const settings = await dailyBriefingSettings(ctx.db);
    return c.json({ settings: { ...settings, nextRunAt: await nextRunAt(ctx.db) } });
  });

  app.put('/api/reports/daily/settings', async (c) => {
    const actor = actorOf(c);
    requireRole(actor, 'admin');
    return c.json({ settings: await saveDailyBriefingSettings(ctx, actor, await body(c, dailySettingsSchema)) });
  });

  return app;
}
