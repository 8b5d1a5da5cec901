// The printable briefing sheet for the spokesperson: plain HTML, print-friendly, everything escaped.
import type { briefing } from './service.ts';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const local = (d: Date | string | null) =>
  d ? new Date(d).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) + '（北京时间）' : '—';

const SEVERITY: Record<string, string> = { I: 'I级 特别重大', II: 'II级 重大', III: 'III级 较大', IV: 'IV级 一般' };
const KIND: Record<string, string> = { initial: '首次发布', update: '进展通报', clarification: '澄清说明', correction: '更正' };
const CLOCK: Record<string, string> = { first_release: '首次权威发布', press_conference: '新闻发布会', follow_up: '持续发布', opinion_response: '舆情回应' };
const STATUS: Record<string, string> = { pending: '计时中', met: '已完成', missed: '已超时', waived: '已豁免' };

export function renderBriefing(b: Awaited<ReturnType<typeof briefing>>): string {
  const c = b.conference;
  const deptName = (id: string | number) => b.departments.find((d) => String(d.id) === String(id))?.name ?? id;
  const releaseTitle = (id: string | null) => b.releases.find((r) => String(r.id) === id)?.title;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>发布会口径 — ${esc(b.incident.title)}</title>
<style>
body{font-family:"Noto Serif CJK SC","Songti SC",serif;max-width:48rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.7}
h1{font-size:1.6rem;margin:0 0 .25rem}h2{font-size:1.15rem;border-bottom:2px solid #111;margin-top:1.6rem}
table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
.meta{color:#444}.point{margin:.5rem 0;padding-left:.5rem;border-left:4px solid #b00}
@media print{body{margin:0}a{color:inherit;text-decoration:none}.noprint{display:none}}
</style></head><body>
<p class="noprint"><button onclick="print()">打印</button></p>
<h1>新闻发布会口径材料</h1>
<p class="meta">${esc(b.incident.title)} · ${esc(SEVERITY[b.incident.severity] ?? b.incident.severity)} · 印制于 ${esc(local(b.printedAt))}</p>
<h2>发布会安排</h2>
<table>
<tr><th>时间</th><td>${esc(local(c.scheduledAt))}</td></tr>
<tr><th>地点</th><td>${esc(c.venue)}</td></tr>
<tr><th>发言人</th><td>${b.people.map((p) => esc(p.name)).join('、') || '—'}</td></tr>
<tr><th>出席部门</th><td>${c.departmentIds.map((id) => esc(deptName(id))).join('、') || '—'}</td></tr>
<tr><th>状态</th><td>${esc({ planned: '筹备中', held: '已召开', cancelled: '已取消' }[c.status])}</td></tr>
</table>
<h2>基本事实</h2>
<table>
<tr><th>发生时间</th><td>${esc(local(b.incident.occurred_at))}</td></tr>
<tr><th>地点</th><td>${esc(b.incident.location || '—')}</td></tr>
<tr><th>伤亡</th><td>死亡 ${b.incident.deaths} 人，受伤 ${b.incident.injured} 人，失踪 ${b.incident.missing} 人</td></tr>
<tr><th>牵头部门</th><td>${esc(deptName(b.incident.lead_department_id))}</td></tr>
<tr><th>概要</th><td>${esc(b.incident.summary || '—')}</td></tr>
</table>
<h2>答问要点</h2>
${c.talkingPoints.length ? c.talkingPoints.map((p, i) => `<div class="point"><strong>${i + 1}.</strong> ${esc(p.text)}${p.releaseId && releaseTitle(p.releaseId) ? `<br><span class="meta">依据：${esc(releaseTitle(p.releaseId))}</span>` : ''}</div>`).join('\n') : '<p>—</p>'}
${c.notes ? `<h2>备注</h2><p>${esc(c.notes)}</p>` : ''}
<h2>已发布信息（口径须与之一致）</h2>
${b.releases.length ? b.releases.map((r) => `<h3>${esc(KIND[r.kind] ?? r.kind)}：${esc(r.title)}</h3><p class="meta">${esc(local(r.published_at))}</p>${r.body.split(/\n+/).map((para) => `<p>${esc(para)}</p>`).join('')}`).join('\n') : '<p>尚无已发布信息。</p>'}
<h2>时限</h2>
<table><tr><th>事项</th><th>截止</th><th>状态</th></tr>
${b.deadlines.map((d) => `<tr><td>${esc(CLOCK[d.kind] ?? d.kind)}</td><td>${esc(local(d.due_at))}</td><td>${esc(STATUS[d.status] ?? d.status)}${d.met_at ? `（${esc(local(d.met_at))}）` : ''}</td></tr>`).join('\n')}
</table>
</body></html>`;
}
