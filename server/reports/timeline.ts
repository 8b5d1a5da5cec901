// One line of Chinese per event for the after-action timeline (pure). Event payloads are whatever each feature
// recorded; anything unknown falls back to the event type, so a new event kind never breaks the report.
import { CLOCK_LABEL, RELEASE_KIND_LABEL, SEVERITY_LABEL, label } from './format.ts';

type Payload = Record<string, any>;

const str = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const quoted = (title: unknown) => (str(title) ? `「${str(title)}」` : '');
const clockName = (p: Payload) => label(CLOCK_LABEL, p.deadline?.kind) || '时限';

const FACT_LABEL: Record<string, string> = {
  title: '标题',
  summary: '概要',
  category: '类别',
  severity: '级别',
  location: '地点',
  significantImpact: '重大社会影响',
  sensitive: '敏感',
  occurredAt: '发生时间',
  leadDepartmentId: '牵头部门',
  spokespersonId: '发言人',
  'casualties.deaths': '死亡',
  'casualties.injured': '受伤',
  'casualties.missing': '失踪',
  keywords: '关键词',
  status: '状态',
};

function shown(v: unknown): string {
  if (Array.isArray(v)) return v.map(str).join('、') || '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  return str(v) || '—';
}

function changes(p: Payload): string {
  const c = p.changes as Record<string, { from: unknown; to: unknown }> | undefined;
  if (!c || typeof c !== 'object') return '';
  return Object.entries(c)
    .map(([k, v]) => `${FACT_LABEL[k] ?? k}：${shown(v?.from)}→${shown(v?.to)}`)
    .join('；');
}

const TASK_VERB: Record<string, string> = {
  'task.created': '下达任务',
  'task.assigned': '下达任务',
  'task.acked': '签收任务',
  'task.started': '开始办理任务',
  'task.done': '完成任务',
  'task.overdue': '任务逾期',
  'task.escalated': '任务逾期升级',
};

export function describeEvent(type: string, payload: unknown): string {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Payload;
  const release = p.release ?? {};
  const releaseName = `${label(RELEASE_KIND_LABEL, release.kind) || '发布稿'}${quoted(release.title)}`;
  switch (type) {
    case 'incident.created':
      return `登记事件${quoted(p.incident?.title)}${p.incident?.severity ? `（${label(SEVERITY_LABEL, p.incident.severity)}）` : ''}`;
    case 'incident.updated':
      return `更新事实：${changes(p) || '—'}`;
    case 'incident.closed':
      return '事件处置结束，关闭事件';
    case 'deadline.created':
      return `新增时限：${clockName(p)}`;
    case 'deadline.warning':
      return `时限预警：${clockName(p)}距截止 ${str(p.minutesBefore)} 分钟`;
    case 'deadline.missed':
      return `时限超时：${clockName(p)}${p.loggedLate ? '（登记时已超过时限）' : ''}`;
    case 'deadline.met':
      return `时限完成：${clockName(p)}${p.late ? '（超时完成）' : '（按时）'}`;
    case 'deadline.waived':
      return `时限豁免：${clockName(p)}，理由：${str(p.reason) || '—'}`;
    case 'release.created':
      return `起草${releaseName}`;
    case 'release.updated':
      return `修改${releaseName}`;
    case 'release.submitted':
      return `提交审核：${releaseName}`;
    case 'release.approved':
      return `审核通过：${releaseName}${str(p.comment) ? `，意见：${str(p.comment)}` : ''}`;
    case 'release.rejected':
      return `退回修改：${releaseName}${str(p.comment) ? `，意见：${str(p.comment)}` : ''}`;
    case 'release.scheduled':
      return `定时发布：${releaseName}`;
    case 'release.unscheduled':
      return `取消定时发布：${releaseName}`;
    case 'release.published':
      return `正式发布：${releaseName}`;
    case 'release.retracted':
      return `撤回：${releaseName}${str(p.reason) ? `，理由：${str(p.reason)}` : ''}`;
    case 'release.delivery':
      return `推送渠道「${str(p.channelName)}」：${str(p.delivery?.status) === 'delivered' ? '成功' : str(p.delivery?.status) === 'failed' ? '失败' : '重试中'}`;
    case 'conference.planned':
      return `筹备新闻发布会${str(p.conference?.venue) ? `（${str(p.conference.venue)}）` : ''}`;
    case 'conference.held':
      return `召开新闻发布会${str(p.conference?.venue) ? `（${str(p.conference.venue)}）` : ''}`;
    case 'conference.cancelled':
      return `取消新闻发布会${str(p.reason) ? `，理由：${str(p.reason)}` : ''}`;
    case 'opinion.burst':
      return `舆情突增：${str(p.burst?.label)}，${str(p.burst?.count)} 条`;
    case 'opinion.triaged':
      return `舆情研判：${str(p.status)}`;
    default:
      if (type in TASK_VERB) return `${TASK_VERB[type]}${quoted(p.task?.title)}`;
      if (type.startsWith('comment')) return `评论：${str(p.comment?.body ?? p.body ?? p.text).slice(0, 200)}`;
      return type;
  }
}
