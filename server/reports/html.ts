// Printable report pages: one self-contained HTML document each (A4 print CSS, an inline SVG opinion curve drawn
// here, no script, no external asset). Every value that came from a person or the database is escaped.
import { escapeHtml } from '../public/escape.ts';
import type { ComplianceReport, IncidentReport } from './service.ts';
import type { DailyBriefing, FlaggedItem } from './daily.ts';
import type { ClockOutcome } from './compliance.ts';
import {
  CATEGORY_LABEL,
  CLOCK_LABEL,
  CONFERENCE_STATUS_LABEL,
  OPINION_STATUS_LABEL,
  RELEASE_KIND_LABEL,
  RELEASE_STATUS_LABEL,
  SEVERITY_LABEL,
  ZONE_LABEL,
  chineseDate,
  chineseDuration,
  label,
  localDateTime,
  localShort,
  marginWords,
  percent,
  percentPoints,
} from './format.ts';

/** Escapes any value for HTML text or a quoted attribute. */
const e = (v: unknown) => escapeHtml(v === null || v === undefined ? '' : String(v));
const dash = (v: string) => (v ? v : '—');
const time = (at: string | null | undefined) => e(dash(localDateTime(at ?? null)));
/** Date over time, for dense tables that must fit the A4 width. */
const stacked = (at: string | null | undefined) => {
  const s = localDateTime(at ?? null);
  return s ? `<span class="nowrap">${e(s.slice(0, 10))}</span><br><span class="nowrap">${e(s.slice(11))}</span>` : '—';
};

const STYLE = `
@page{size:A4;margin:15mm 14mm 16mm}
:root{--ink:#1b1f24;--muted:#5b6470;--rule:#cfd4db;--band:#f3f4f6;--red:#b3261e;--green:#1e6f43;--amber:#9a5b00;--blue:#3b6ea5;--sky:#a9c0dc}
*{box-sizing:border-box}
html{background:#e8eaed}
body{margin:0;color:var(--ink);font:10.5pt/1.6 "Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei","Hiragino Sans GB",sans-serif;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.sheet{width:210mm;min-height:297mm;margin:8mm auto;padding:15mm 14mm 16mm;background:#fff;box-shadow:0 1px 5px rgba(0,0,0,.18)}
.masthead{border-bottom:3px solid var(--red);padding-bottom:3mm;margin-bottom:5mm}
.org{color:var(--red);font-weight:700;letter-spacing:.25em;font-size:9.5pt}
h1{font:700 19pt/1.3 "Noto Serif CJK SC","Source Han Serif SC","Songti SC","SimSun",serif;margin:2mm 0 1mm}
.subtitle{font-size:12pt;font-weight:600;margin:0}
.meta{color:var(--muted);font-size:9pt}
h2{font-size:12.5pt;margin:7mm 0 2.5mm;padding-left:2.5mm;border-left:4px solid var(--red);break-after:avoid;page-break-after:avoid}
h2 small{font-weight:400;color:var(--muted);font-size:9pt;margin-left:2mm}
section{break-inside:auto}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:3mm;margin:4mm 0 2mm}
.kpi{border:1px solid var(--rule);border-top:3px solid var(--blue);border-radius:1.5mm;padding:2mm 3mm;break-inside:avoid}
.kpi.bad{border-top-color:var(--red)}.kpi.ok{border-top-color:var(--green)}
.kpi .v{display:block;font-size:15pt;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.3}
.kpi .k{display:block;color:var(--muted);font-size:8.5pt}
.kpi .d{display:block;font-size:8.5pt}
dl.facts{display:grid;grid-template-columns:20mm 1fr 20mm 1fr;gap:.8mm 3mm;margin:0;font-size:9.5pt}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
table{width:100%;border-collapse:collapse;font-size:9pt;margin:1mm 0 2mm}
thead{display:table-header-group}
th,td{border-bottom:1px solid var(--rule);padding:1.3mm 1.8mm;text-align:left;vertical-align:top}
thead th{background:var(--band);border-bottom:1.5px solid var(--ink);font-weight:600;white-space:nowrap}
tr{break-inside:avoid;page-break-inside:avoid}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.nowrap{white-space:nowrap}
.tag{display:inline-block;padding:0 1.5mm;border:1px solid currentColor;border-radius:1mm;font-size:8pt;line-height:1.5;white-space:nowrap}
.ok{color:var(--green)}.bad{color:var(--red)}.warn{color:var(--amber)}.mute{color:var(--muted)}
.empty{color:var(--muted);font-style:italic;margin:1mm 0 3mm}
.chart{display:block;width:100%;height:auto;margin:1mm 0}
.legend{font-size:8.5pt;color:var(--muted)}
.legend i{display:inline-block;width:3mm;height:3mm;margin:0 1mm 0 3mm;vertical-align:-.3mm}
.terms span{display:inline-block;margin:0 2.5mm 1mm 0}
.note{font-size:8.5pt;color:var(--muted);border-top:1px dashed var(--rule);margin-top:3mm;padding-top:2mm}
footer{margin-top:8mm;border-top:1px solid var(--rule);padding-top:2mm;color:var(--muted);font-size:8.5pt;display:flex;justify-content:space-between;gap:4mm}
@media print{html{background:none}.sheet{width:auto;min-height:0;margin:0;padding:0;box-shadow:none}}
`;

function page(title: string, body: string, generatedAt: string): string {
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title><style>${STYLE}</style></head>
<body><main class="sheet">
${body}
<footer><span>生成时间：${time(generatedAt)}（${e(ZONE_LABEL)}）</span><span>本报告由 Beacon 根据系统记录自动生成 · 文中时间均为${e(ZONE_LABEL)}</span></footer>
</main></body></html>`;
}

function masthead(kind: string, subtitle: string, meta: string): string {
  return `<header class="masthead"><div class="org">突发事件信息发布与舆情应对</div><h1>${e(kind)}</h1><p class="subtitle">${e(subtitle)}</p><p class="meta">${meta}</p></header>`;
}

function kpi(key: string, value: string, tone: '' | 'ok' | 'bad' = '', detail = ''): string {
  return `<div class="kpi ${tone}"><span class="k">${e(key)}</span><span class="v">${e(value)}</span>${detail ? `<span class="d">${detail}</span>` : ''}</div>`;
}

function table(head: (string | [string, 'num'])[], rows: string[][], emptyText: string): string {
  if (rows.length === 0) return `<p class="empty">${e(emptyText)}</p>`;
  const th = head.map((h) => (Array.isArray(h) ? `<th class="num">${e(h[0])}</th>` : `<th>${e(h)}</th>`)).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n')}</tbody></table>`;
}

const td = (html: string, cls = '') => `<td${cls ? ` class="${cls}"` : ''}>${html}</td>`;
const tag = (text: string, tone: string) => `<span class="tag ${tone}">${e(text)}</span>`;

const OUTCOME: Record<ClockOutcome, [string, string]> = {
  met_on_time: ['按时完成', 'ok'],
  met_late: ['超时完成', 'bad'],
  missed_unmet: ['超时未完成', 'bad'],
  waived: ['已豁免', 'mute'],
  pending: ['计时中', 'warn'],
};

function deadlineOutcome(d: { status: string; metAt: string | null; onTime: boolean | null }): ClockOutcome {
  if (d.status === 'waived') return 'waived';
  if (d.metAt) return d.onTime ? 'met_on_time' : 'met_late';
  return d.status === 'missed' ? 'missed_unmet' : 'pending';
}

const signed = (n: number | null) => (n === null ? '' : `${n > 0 ? '+' : ''}${n}秒`);

// ————— the opinion curve —————

interface ChartPoint {
  t: string;
  total: number;
  negative: number;
}

function niceMax(n: number): number {
  if (n <= 4) return 4;
  const mag = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * mag >= n) return step * mag;
  return 10 * mag;
}

/**
 * Hourly volume as stacked bars (negative in red), with the release instants as dashed markers. Drawn on the server
 * as plain SVG so the printed page needs nothing else.
 */
export function opinionChart(series: ChartPoint[], markers: { at: string; label: string }[], caption: string): string {
  if (series.length === 0) return '';
  const W = 720;
  const H = 210;
  const L = 38;
  const R = 10;
  const T = 12;
  const B = 30;
  const pw = W - L - R;
  const ph = H - T - B;
  const from = new Date(series[0].t).getTime();
  const step = series.length > 1 ? new Date(series[1].t).getTime() - from : 3_600_000;
  const to = from + step * series.length;
  const max = niceMax(Math.max(...series.map((s) => s.total), 1));
  const bw = pw / series.length;
  const y = (v: number) => T + ph - (v / max) * ph;
  const x = (ms: number) => L + ((ms - from) / (to - from)) * pw;
  const parts: string[] = [];
  for (const tick of [0, max / 2, max]) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}" stroke="#d9dde3" stroke-width="${tick === 0 ? 1.2 : 0.6}"/>`);
    parts.push(`<text x="${L - 5}" y="${(y(tick) + 3.5).toFixed(1)}" text-anchor="end" font-size="10" fill="#5b6470">${e(tick)}</text>`);
  }
  series.forEach((s, i) => {
    const bx = L + i * bw + Math.min(1, bw * 0.1);
    const w = Math.max(bw - Math.min(2, bw * 0.2), 0.5);
    if (s.total > 0) {
      parts.push(`<rect x="${bx.toFixed(2)}" y="${y(s.total).toFixed(2)}" width="${w.toFixed(2)}" height="${(y(0) - y(s.total)).toFixed(2)}" fill="#a9c0dc"><title>${e(`${localShort(s.t)} 共${s.total}条，负面${s.negative}条`)}</title></rect>`);
    }
    if (s.negative > 0) {
      parts.push(`<rect x="${bx.toFixed(2)}" y="${y(s.negative).toFixed(2)}" width="${w.toFixed(2)}" height="${(y(0) - y(s.negative)).toFixed(2)}" fill="#b3261e"/>`);
    }
  });
  const every = Math.max(1, Math.ceil(series.length / 8));
  series.forEach((s, i) => {
    if (i % every !== 0) return;
    const tx = L + i * bw;
    const [md, hm] = localShort(s.t).split(' ');
    parts.push(`<line x1="${tx.toFixed(1)}" x2="${tx.toFixed(1)}" y1="${T + ph}" y2="${T + ph + 4}" stroke="#5b6470" stroke-width="0.8"/>`);
    parts.push(`<text x="${tx.toFixed(1)}" y="${T + ph + 15}" font-size="9.5" fill="#5b6470">${e(hm)}</text>`);
    if (i === 0 || localShort(series[i - every]?.t ?? s.t).split(' ')[0] !== md) {
      parts.push(`<text x="${tx.toFixed(1)}" y="${T + ph + 26}" font-size="9" fill="#8a929c">${e(md)}</text>`);
    }
  });
  markers.forEach((m, i) => {
    const ms = new Date(m.at).getTime();
    if (ms < from || ms > to) return;
    const mx = x(ms).toFixed(1);
    parts.push(`<line x1="${mx}" x2="${mx}" y1="${T}" y2="${T + ph}" stroke="#1b1f24" stroke-width="1" stroke-dasharray="3 2"/>`);
    parts.push(`<circle cx="${mx}" cy="${T + 7 + (i % 2) * 14}" r="6.5" fill="#fff" stroke="#1b1f24"/>`);
    parts.push(`<text x="${mx}" y="${T + 10.5 + (i % 2) * 14}" text-anchor="middle" font-size="9" font-weight="700" fill="#1b1f24">${i + 1}<title>${e(m.label)}</title></text>`);
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${e(caption)}" font-family="sans-serif"><title>${e(caption)}</title>${parts.join('')}</svg>
<div class="legend"><i style="background:#a9c0dc"></i>非负面<i style="background:#b3261e"></i>负面${markers.length ? '<i style="border:1px dashed #1b1f24;width:0;margin-right:2mm"></i>信息发布（编号见下表）' : ''}　纵轴：每小时条数；横轴：北京时间</div>`;
}

// ————— after-action report —————

export function renderIncidentReport(r: IncidentReport): string {
  const inc = r.incident;
  const deadlines = r.deadlines;
  const settled = deadlines.filter((d) => d.status !== 'waived' && (d.metAt || d.status === 'missed'));
  const onTimeCount = deadlines.filter((d) => d.onTime === true).length;
  const breaches = deadlines.filter((d) => deadlineOutcome(d) === 'met_late' || deadlineOutcome(d) === 'missed_unmet').length;
  const published = r.releases.filter((x) => x.publishedAt).sort((a, b) => a.publishedAt!.localeCompare(b.publishedAt!));

  const facts = `<dl class="facts">
<dt>事件</dt><dd>${e(inc.title)}</dd><dt>级别</dt><dd>${e(label(SEVERITY_LABEL, inc.severity))}</dd>
<dt>类别</dt><dd>${e(label(CATEGORY_LABEL, inc.category))}</dd><dt>地点</dt><dd>${e(dash(inc.location))}</dd>
<dt>发生时间</dt><dd>${time(inc.occurredAt)}</dd><dt>登记时间</dt><dd>${time(inc.reportedAt)}${inc.loggedLate ? ' <span class="tag bad">登记时已超时限</span>' : ''}</dd>
<dt>牵头部门</dt><dd>${e(inc.leadDepartmentName)}</dd><dt>发言人</dt><dd>${e(dash(inc.spokespersonName ?? ''))}</dd>
<dt>伤亡</dt><dd>死亡 ${e(inc.casualties.deaths)} 人，受伤 ${e(inc.casualties.injured)} 人，失踪 ${e(inc.casualties.missing)} 人</dd><dt>状态</dt><dd>${inc.status === 'closed' ? `已关闭（${time(inc.closedAt)}）` : '处置中'}</dd>
${inc.summary ? `<dt>概要</dt><dd style="grid-column:2 / 5">${e(inc.summary)}</dd>` : ''}
</dl>`;

  const kpis = `<div class="kpis">
${kpi('首次权威发布用时', r.firstReleaseSeconds === null ? '未发布' : chineseDuration(r.firstReleaseSeconds), r.firstReleaseSeconds === null ? 'bad' : '', '自事件发生起算')}
${kpi('时限按时完成', `${onTimeCount} / ${settled.length}`, breaches ? 'bad' : 'ok', `共 ${deadlines.length} 项时限`)}
${kpi('超时', `${breaches} 项`, breaches ? 'bad' : 'ok', '含超时后完成')}
${kpi('关联舆情', `${r.opinion.total} 条`, '', `负面占比 ${e(percent(r.opinion.negativeShare))}`)}
</div>`;

  const deadlineRows = deadlines.map((d) => {
    const o = deadlineOutcome(d);
    return [
      td(e(label(CLOCK_LABEL, d.kind))),
      td(time(d.dueAt), 'nowrap'),
      td(time(d.metAt), 'nowrap'),
      td(`${e(marginWords(d.marginSeconds))}${d.marginSeconds !== null ? `<br><span class="mute">${e(signed(d.marginSeconds))}</span>` : ''}`, 'num'),
      td(tag(OUTCOME[o][0], OUTCOME[o][1])),
      td(e(d.waivedReason ?? '')),
    ];
  });

  const releaseRows = r.releases.map((x) => {
    const n = published.indexOf(x);
    return [
      td(n >= 0 ? `<strong>${n + 1}</strong>` : '', 'num'),
      td(e(label(RELEASE_KIND_LABEL, x.kind))),
      td(e(x.title)),
      td(time(x.submittedAt), 'nowrap'),
      td(`${time(x.approvedAt)}${x.approvals.length ? `<br><span class="mute">${x.approvals.map((a) => `${e(a.by)}（${e(a.department)}）`).join('、')}</span>` : ''}`),
      td(`${time(x.publishedAt)}${x.status !== 'published' ? `<br>${tag(label(RELEASE_STATUS_LABEL, x.status), x.status === 'retracted' ? 'bad' : 'mute')}` : ''}`, 'nowrap'),
      td(e(x.sinceOccurredSeconds === null ? '—' : chineseDuration(x.sinceOccurredSeconds)), 'num'),
    ];
  });

  const conferenceRows = r.conferences.map((c) => [
    td(time(c.scheduledAt), 'nowrap'),
    td(time(c.heldAt), 'nowrap'),
    td(e(c.venue)),
    td(tag(label(CONFERENCE_STATUS_LABEL, c.status), c.status === 'held' ? 'ok' : c.status === 'cancelled' ? 'mute' : 'warn')),
    td(e(c.summary || c.cancelReason || '')),
  ]);

  const taskRows = r.tasks.map((t) => [
    td(e(t.title)),
    td(e(t.department)),
    td(stacked(t.createdAt)),
    td(`${stacked(t.ackedAt)}${t.ackSeconds !== null ? `<br><span class="mute nowrap">用时 ${e(chineseDuration(t.ackSeconds))}</span>` : ''}`),
    td(stacked(t.doneAt)),
    td(stacked(t.dueAt)),
    td(t.overdue ? tag('逾期', 'bad') : t.doneAt ? tag('已完成', 'ok') : tag('办理中', 'warn')),
  ]);

  const effectRows = r.opinion.releaseEffects.map((x) => {
    const n = published.findIndex((p) => p.id === x.releaseId);
    const delta = x.after.negativeShare - x.before.negativeShare;
    return [
      td(n >= 0 ? `<strong>${n + 1}</strong>` : '', 'num'),
      td(`${e(label(RELEASE_KIND_LABEL, x.kind))}：${e(x.title)}`),
      td(time(x.publishedAt), 'nowrap'),
      td(e(x.before.volume), 'num'),
      td(e(percent(x.before.negativeShare)), 'num'),
      td(`${e(x.after.volume)}${x.afterComplete ? '' : '<span class="warn">*</span>'}`, 'num'),
      td(e(percent(x.after.negativeShare)), 'num'),
      td(`<span class="${delta < 0 ? 'ok' : delta > 0 ? 'bad' : 'mute'}">${e(percentPoints(delta))}</span>`, 'num'),
    ];
  });

  const timelineRows = r.timeline.map((t) => [td(time(t.at), 'nowrap'), td(e(t.by ?? '系统')), td(e(t.text))]);

  const body = `${masthead('突发事件信息发布事后评估报告', inc.title, `事件编号 ${e(inc.id)} · ${e(label(SEVERITY_LABEL, inc.severity))} · 牵头部门 ${e(inc.leadDepartmentName)} · 时间均为${e(ZONE_LABEL)}`)}
<section><h2>一、基本情况</h2>${facts}${kpis}</section>
<section><h2>二、时限执行<small>余量 = 截止时间 − 完成时间，正为提前、负为超时</small></h2>
${table(['时限', '截止时间', '完成时间', ['余量', 'num'], '结果', '说明'], deadlineRows, '本事件未触发发布时限。')}</section>
<section><h2>三、信息发布</h2>
${table([['#', 'num'], '类别', '标题', '提交审核', '审核通过 / 审核人', '发布时间', ['距事件发生', 'num']], releaseRows, '尚无发布稿。')}</section>
<section><h2>四、新闻发布会</h2>
${table(['计划时间', '召开时间', '地点', '状态', '内容摘要 / 说明'], conferenceRows, '未安排新闻发布会。')}</section>
<section><h2>五、部门任务<small>签收用时 = 签收时间 − 下达时间</small></h2>
${table(['任务', '承办部门', '下达时间', '签收时间', '完成时间', '时限', '状态'], taskRows, '无部门任务记录。')}</section>
<section><h2>六、舆情态势与发布效果<small>关联本事件的舆情，每小时条数</small></h2>
${r.opinion.total ? opinionChart(r.opinion.series, published.map((p, i) => ({ at: p.publishedAt!, label: `${i + 1}. ${p.title}` })), `${inc.title} 舆情走势`) : '<p class="empty">暂无关联本事件的舆情。</p>'}
${r.opinion.truncated ? '<p class="note">曲线仅显示事件发生后 30 天。</p>' : ''}
${table([['#', 'num'], '发布', '发布时间', [`前${r.opinion.releaseEffects[0]?.windowHours ?? 6}小时声量`, 'num'], ['负面占比', 'num'], [`后${r.opinion.releaseEffects[0]?.windowHours ?? 6}小时声量`, 'num'], ['负面占比', 'num'], ['负面占比变化', 'num']], effectRows, '尚无已发布信息，无法评估发布效果。')}
${r.opinion.releaseEffects.some((x) => !x.afterComplete) ? '<p class="note">* 发布后时段尚未结束，数字为截至生成时。</p>' : ''}</section>
<section><h2>七、处置时间线</h2>
${table(['时间', '操作人', '事项'], timelineRows, '无记录。')}</section>`;
  return page(`事后评估报告 — ${inc.title}`, body, r.generatedAt);
}

// ————— compliance report —————

export function renderComplianceReport(r: ComplianceReport): string {
  const t = r.totals;
  const deptRows = r.departments.map((d) => [
    td(e(d.departmentName)),
    td(e(d.due), 'num'),
    td(e(d.metOnTime), 'num'),
    td(d.metLate ? `<span class="bad">${e(d.metLate)}</span>` : '0', 'num'),
    td(d.missedUnmet ? `<span class="bad">${e(d.missedUnmet)}</span>` : '0', 'num'),
    td(e(d.waived), 'num'),
    td(e(d.pending), 'num'),
    td(e(percent(d.onTimeRate)), 'num'),
    td(e(d.firstReleases), 'num'),
    td(e(chineseDuration(d.medianSecondsToFirstRelease)), 'num'),
  ]);
  deptRows.push([
    td('<strong>合计</strong>'),
    td(`<strong>${e(t.due)}</strong>`, 'num'),
    td(`<strong>${e(t.metOnTime)}</strong>`, 'num'),
    td(`<strong>${e(t.metLate)}</strong>`, 'num'),
    td(`<strong>${e(t.missedUnmet)}</strong>`, 'num'),
    td(`<strong>${e(t.waived)}</strong>`, 'num'),
    td(`<strong>${e(t.pending)}</strong>`, 'num'),
    td(`<strong>${e(percent(t.onTimeRate))}</strong>`, 'num'),
    td(`<strong>${e(t.firstReleases)}</strong>`, 'num'),
    td(`<strong>${e(chineseDuration(t.medianSecondsToFirstRelease))}</strong>`, 'num'),
  ]);
  const breachRows = r.breaches.map((b, i) => [
    td(e(i + 1), 'num'),
    td(`<strong>${e(b.departmentName)}</strong>`),
    td(e(b.incidentTitle ?? (b.opinionItemId ? `舆情 #${b.opinionItemId}` : '—'))),
    td(e(label(CLOCK_LABEL, b.kind)), 'nowrap'),
    td(stacked(b.dueAt)),
    td(b.metAt ? stacked(b.metAt) : tag('仍未完成', 'bad')),
    td(`<span class="bad">${e(chineseDuration(b.lateBySeconds))}</span><br><span class="mute">${e(b.lateBySeconds)}秒</span>`, 'num'),
  ]);
  const breaches = t.metLate + t.missedUnmet;
  const period = `统计期间：${time(r.from)} 至 ${time(r.to)}（${e(ZONE_LABEL)}，含起不含止）${r.scope === 'department' ? ' · 仅本部门' : ''}`;
  const body = `${masthead('信息发布时限执行情况通报', '按责任部门统计', period)}
<div class="kpis">
${kpi('期内到期时限', `${t.due} 项`)}
${kpi('按时完成', `${t.metOnTime} 项`, 'ok', `按时率 ${e(percent(t.onTimeRate))}`)}
${kpi('超时', `${breaches} 项`, breaches ? 'bad' : 'ok', `其中仍未完成 ${e(t.missedUnmet)} 项`)}
${kpi('首次发布用时中位数', chineseDuration(t.medianSecondsToFirstRelease), '', `${e(t.firstReleases)} 起事件`)}
</div>
<section><h2>一、各部门时限执行情况</h2>
${table(['责任部门', ['到期', 'num'], ['按时完成', 'num'], ['超时完成', 'num'], ['超时未完成', 'num'], ['已豁免', 'num'], ['计时中', 'num'], ['按时率', 'num'], ['首发事件', 'num'], ['首发用时中位数', 'num']], deptRows, '无部门数据。')}</section>
<section><h2>二、超时通报名单<small>按截止时间排序；仍未完成者超时时长计至报告生成时</small></h2>
${table([['序号', 'num'], '责任部门', '事件', '时限', '截止时间', '完成时间', ['超时', 'num']], breachRows, '期内无超时。')}</section>
<p class="note">统计口径：截止时间落在统计期间内的时限计入；责任部门为事件牵头部门（舆情回应时限为研判时指定的部门，未指定时为所关联事件的牵头部门）。超时完成指完成时间晚于截止时间（状态保留为超时并记录完成时间）；首次发布用时为事件发生至首条信息正式发布，计入首条发布在期内的事件。</p>`;
  return page('信息发布时限执行情况通报', body, r.generatedAt);
}

// ————— daily briefing —————

function flaggedRows(items: FlaggedItem[], withFlaggedAt: boolean): string[][] {
  return items.map((f) => [
    td(`${e(f.title)}${f.url ? `<br><span class="mute">${e(f.url)}</span>` : ''}`),
    td(e(label(OPINION_STATUS_LABEL, f.itemStatus)), 'nowrap'),
    td(e(f.incidentTitle ?? '—')),
    td(e(f.department ?? '—')),
    ...(withFlaggedAt ? [td(stacked(f.flaggedAt))] : []),
    td(stacked(f.dueAt)),
    td(`${tag(OUTCOME[f.outcome][0], OUTCOME[f.outcome][1])}${f.metAt ? `<br><span class="mute">${stacked(f.metAt)}</span>` : ''}`),
  ]);
}

export function renderDailyBriefing(b: DailyBriefing): string {
  const volChange = b.change.volume === 0 ? '与前日持平' : `较前日${b.change.volume > 0 ? '+' : '−'}${Math.abs(b.change.volume)}条${b.change.volumePercent === null ? '' : `（${b.change.volumePercent > 0 ? '+' : ''}${percent(b.change.volumePercent)}）`}`;
  const shareTone = b.change.negativeShare > 0 ? 'bad' : b.change.negativeShare < 0 ? 'ok' : 'mute';
  const body = `${masthead('舆情日报', chineseDate(b.date), `统计时段：${time(b.from)} 至 ${time(b.to)}（${e(ZONE_LABEL)}）${b.complete ? '' : ' · <span class="warn">当日未结束，数据截至生成时</span>'}`)}
<div class="kpis">
${kpi('舆情总量', `${b.volume} 条`, '', e(volChange))}
${kpi('负面占比', percent(b.negativeShare), b.negativeShare >= 0.5 ? 'bad' : '', `<span class="${shareTone}">较前日 ${e(percentPoints(b.change.negativeShare))}</span>`)}
${kpi('舆情突增', `${b.bursts.length} 次`, b.bursts.length ? 'bad' : '')}
${kpi('待回应', `${b.awaitingResponse.length} 条`, b.awaitingResponse.some((f) => f.outcome === 'missed_unmet') ? 'bad' : '', `当日新标注 ${e(b.responses.flagged)} 条，其中谣言 ${e(b.responses.rumors)} 条`)}
</div>
<section><h2>一、全天走势<small>正面 ${e(b.sentiment.positive)} · 中性 ${e(b.sentiment.neutral)} · 负面 ${e(b.sentiment.negative)}</small></h2>
${b.volume ? opinionChart(b.series, [], `${b.date} 舆情走势`) : '<p class="empty">当日无舆情。</p>'}</section>
<section><h2>二、热点话题与高频词</h2>
${table(['话题', ['条数', 'num'], ['负面占比', 'num']], b.topTopics.map((t) => [td(e(t.topic)), td(e(t.count), 'num'), td(e(percent(t.negativeShare)), 'num')]), '当日无话题归类。')}
${b.topTerms.length ? `<p class="terms"><strong>高频词：</strong>${b.topTerms.map((t) => `<span>${e(t.term)}<span class="mute">（${e(t.count)}）</span></span>`).join('')}</p>` : ''}
${b.topSources.length ? `<p class="terms"><strong>主要来源：</strong>${b.topSources.map((s) => `<span>${e(s.name)}<span class="mute">（${e(s.count)}）</span></span>`).join('')}</p>` : ''}</section>
<section><h2>三、舆情突增</h2>
${table(['时段', '对象', ['条数', 'num'], ['z 值', 'num'], '高频词'], b.bursts.map((x) => [td(time(x.bucketStart), 'nowrap'), td(e(x.label)), td(e(x.count), 'num'), td(e(x.z.toFixed(1)), 'num'), td(e(x.topTerms.slice(0, 5).map((t) => t.term).join('、')))]), '当日未监测到突增。')}</section>
<section><h2>四、谣言与需回应舆情<small>当日新标注；回应时限 48 小时</small></h2>
${table(['内容', '研判', '关联事件', '责任部门', '标注时间', '回应截止', '回应情况'], flaggedRows(b.flagged, true), '当日无新标注。')}</section>
<section><h2>五、待回应事项<small>截至生成时仍未回应</small></h2>
${table(['内容', '研判', '关联事件', '责任部门', '回应截止', '状态'], flaggedRows(b.awaitingResponse, false), '无待回应事项。')}</section>
<section><h2>六、分事件舆情概况</h2>
${table(['事件', '级别', '牵头部门', ['声量', 'num'], ['负面占比', 'num'], ['突增', 'num'], ['新标注', 'num'], ['未完成时限', 'num']], b.incidents.map((i) => [td(`${e(i.title)}${i.status === 'closed' ? ' <span class="mute">（已关闭）</span>' : ''}`), td(e(label(SEVERITY_LABEL, i.severity))), td(e(i.leadDepartment)), td(e(i.volume), 'num'), td(e(percent(i.negativeShare)), 'num'), td(e(i.bursts), 'num'), td(e(i.flagged), 'num'), td(i.openClocks ? `<span class="warn">${e(i.openClocks)}</span>` : '0', 'num')]), '当日无关联事件的舆情。')}</section>`;
  return page(`舆情日报 ${b.date}`, body, b.generatedAt);
}
