// The reports as CSV.
//
// Layout (decided for Excel users and for scripts alike): ONE rectangular table per file with a header row and a
// first column `分节` (section). Each row is one record of a section (the incident, a deadline, a release, …) and
// fills only the columns that section uses; the rest stay empty. Excel's AutoFilter on 分节 gives each table, and
// any CSV reader parses the file without special cases (no multi-table blocks, no blank separator rows).
// Times are Beijing time, "YYYY-MM-DD HH:MM:SS", and the zone is stated in each time column's header. Durations
// and margins are whole seconds (margins signed: positive early, negative late). UTF-8 with BOM, CRLF, RFC 4180.
//
// After-action report sections and the columns each fills:
//   事件      编号 类别(级别) 名称 部门(牵头) 状态 开始时间(发生) 完成时间(关闭) 秒数(首次发布用时) 备注(登记时间等)
//   时限      编号 类别(时限) 名称(时限中文名) 状态 截止时间 完成时间 秒数(余量) 是否按时 备注(豁免理由)
//   发布      编号 类别 名称(标题) 状态 开始时间(提交审核) 审核通过时间 完成时间(发布) 秒数(距事件发生) 审核人
//   发布会    编号 名称(地点) 状态 开始时间(计划) 完成时间(召开) 备注(摘要/取消理由)
//   任务      编号 名称 部门 状态 开始时间(下达) 签收时间 签收用时秒数 完成时间 截止时间 是否按时(否=逾期)
//   发布效果  编号(发布) 名称(标题) 开始时间(发布) 前后窗口声量与负面占比
//   舆情曲线  开始时间(该小时起点) 声量 负面条数 (one row per hour)
//   时间线    类别(事件类型) 名称(事项) 开始时间 操作人
//
// Compliance report sections: 部门统计 (one row per department), 合计, 超时通报 (one row per breach).
import type { Cell } from './csv.ts';
import { sectionRows, toCsv } from './csv.ts';
import type { ComplianceReport, IncidentReport } from './service.ts';
import {
  CLOCK_LABEL,
  CLOCK_STATUS_LABEL,
  CONFERENCE_STATUS_LABEL,
  RELEASE_KIND_LABEL,
  RELEASE_STATUS_LABEL,
  SEVERITY_LABEL,
  label,
  localDateTime as t,
} from './format.ts';

export const INCIDENT_CSV_HEADER = [
  '分节',
  '编号',
  '类别',
  '名称',
  '部门',
  '状态',
  '开始时间（北京时间）',
  '截止时间（北京时间）',
  '完成时间（北京时间）',
  '秒数',
  '是否按时',
  '签收时间（北京时间）',
  '签收用时秒数',
  '审核通过时间（北京时间）',
  '审核人',
  '发布前声量',
  '发布前负面占比',
  '发布后声量',
  '发布后负面占比',
  '声量',
  '负面条数',
  '操作人',
  '备注',
];

export function incidentCsv(r: IncidentReport): string {
  const H = INCIDENT_CSV_HEADER;
  const inc = r.incident;
  const rows: Cell[][] = [
    ...sectionRows(H, '事件', [
      {
        编号: inc.id,
        类别: label(SEVERITY_LABEL, inc.severity),
        名称: inc.title,
        部门: inc.leadDepartmentName,
        状态: inc.status === 'closed' ? '已关闭' : '处置中',
        '开始时间（北京时间）': t(inc.occurredAt),
        '完成时间（北京时间）': t(inc.closedAt),
        秒数: r.firstReleaseSeconds,
        备注: `登记时间 ${t(inc.reportedAt)}${inc.loggedLate ? '（登记时已超时限）' : ''}；死亡${inc.casualties.deaths} 受伤${inc.casualties.injured} 失踪${inc.casualties.missing}`,
      },
    ]),
    ...sectionRows(
      H,
      '时限',
      r.deadlines.map((d) => ({
        编号: d.id,
        类别: d.kind,
        名称: label(CLOCK_LABEL, d.kind),
        状态: d.metAt && d.status === 'missed' ? '超时完成' : label(CLOCK_STATUS_LABEL, d.status),
        '截止时间（北京时间）': t(d.dueAt),
        '完成时间（北京时间）': t(d.metAt),
        秒数: d.marginSeconds,
        是否按时: d.onTime,
        备注: d.waivedReason ?? '',
      })),
    ),
    ...sectionRows(
      H,
      '发布',
      r.releases.map((x) => ({
        编号: x.id,
        类别: label(RELEASE_KIND_LABEL, x.kind),
        名称: x.title,
        状态: label(RELEASE_STATUS_LABEL, x.status),
        '开始时间（北京时间）': t(x.submittedAt),
        '审核通过时间（北京时间）': t(x.approvedAt),
        '完成时间（北京时间）': t(x.publishedAt),
        秒数: x.sinceOccurredSeconds,
        审核人: x.approvals.map((a) => `${a.by}（${a.department}，${t(a.at)}）`).join('；'),
      })),
    ),
    ...sectionRows(
      H,
      '发布会',
      r.conferences.map((c) => ({
        编号: c.id,
        名称: c.venue,
        状态: label(CONFERENCE_STATUS_LABEL, c.status),
        '开始时间（北京时间）': t(c.scheduledAt),
        '完成时间（北京时间）': t(c.heldAt),
        备注: c.summary || c.cancelReason || '',
      })),
    ),
    ...sectionRows(
      H,
      '任务',
      r.tasks.map((k) => ({
        编号: k.id,
        名称: k.title,
        部门: k.department,
        状态: k.status,
        '开始时间（北京时间）': t(k.createdAt),
        '签收时间（北京时间）': t(k.ackedAt),
        签收用时秒数: k.ackSeconds,
        '完成时间（北京时间）': t(k.doneAt),
        '截止时间（北京时间）': t(k.dueAt),
        是否按时: k.dueAt ? !k.overdue : null,
      })),
    ),
    ...sectionRows(
      H,
      '发布效果',
      r.opinion.releaseEffects.map((x) => ({
        编号: x.releaseId,
        类别: label(RELEASE_KIND_LABEL, x.kind),
        名称: x.title,
        '开始时间（北京时间）': t(x.publishedAt),
        发布前声量: x.before.volume,
        发布前负面占比: x.before.negativeShare,
        发布后声量: x.after.volume,
        发布后负面占比: x.after.negativeShare,
        备注: `窗口 ${x.windowHours} 小时${x.afterComplete ? '' : '（发布后窗口未结束）'}`,
      })),
    ),
    ...sectionRows(
      H,
      '舆情曲线',
      r.opinion.series.map((s) => ({ '开始时间（北京时间）': t(s.t), 声量: s.total, 负面条数: s.negative })),
    ),
    ...sectionRows(
      H,
      '时间线',
      r.timeline.map((e) => ({ 类别: e.type, 名称: e.text, '开始时间（北京时间）': t(e.at), 操作人: e.by ?? '系统' })),
    ),
  ];
  return toCsv(H, rows);
}

export const COMPLIANCE_CSV_HEADER = [
  '分节',
  '责任部门',
  '到期时限数',
  '按时完成',
  '超时完成',
  '超时未完成',
  '已豁免',
  '计时中',
  '按时率',
  '首发事件数',
  '首发用时中位数秒',
  '事件编号',
  '事件',
  '时限',
  '截止时间（北京时间）',
  '完成时间（北京时间）',
  '超时秒数',
  '仍未完成',
];

export function complianceCsv(r: ComplianceReport): string {
  const H = COMPLIANCE_CSV_HEADER;
  const stats = (d: Omit<ComplianceReport['departments'][number], 'departmentId' | 'departmentName'>) => ({
    到期时限数: d.due,
    按时完成: d.metOnTime,
    超时完成: d.metLate,
    超时未完成: d.missedUnmet,
    已豁免: d.waived,
    计时中: d.pending,
    按时率: d.onTimeRate,
    首发事件数: d.firstReleases,
    首发用时中位数秒: d.medianSecondsToFirstRelease,
  });
  const rows: Cell[][] = [
    ...sectionRows(H, '部门统计', r.departments.map((d) => ({ 责任部门: d.departmentName, ...stats(d) }))),
    ...sectionRows(H, '合计', [{ 责任部门: '合计', ...stats(r.totals) }]),
    ...sectionRows(
      H,
      '超时通报',
      r.breaches.map((b) => ({
        责任部门: b.departmentName,
        事件编号: b.incidentId,
        事件: b.incidentTitle ?? (b.opinionItemId ? `舆情 #${b.opinionItemId}` : ''),
        时限: label(CLOCK_LABEL, b.kind),
        '截止时间（北京时间）': t(b.dueAt),
        '完成时间（北京时间）': t(b.metAt),
        超时秒数: b.lateBySeconds,
        仍未完成: b.stillUnmet,
      })),
    ),
  ];
  return toCsv(H, rows);
}
