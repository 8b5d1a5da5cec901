import { describe, expect, it } from 'vitest';
import { parse as parseCsv } from 'csv-parse/sync';
import {
  ackSeconds,
  classifyClock,
  computeCompliance,
  marginSeconds,
  median,
  onTime,
  taskOverdue,
  type ComplianceClockRow,
} from '../../server/reports/compliance.ts';
import { BOM, csvCell, sectionRows, toCsv } from '../../server/reports/csv.ts';
import {
  addLocalDays,
  chineseDuration,
  isLocalDate,
  localDate,
  localDateTime,
  localDayWindow,
  marginWords,
  nextLocalTime,
  percent,
  percentPoints,
} from '../../server/reports/format.ts';
import { describeEvent } from '../../server/reports/timeline.ts';
import { opinionChart } from '../../server/reports/html.ts';

const d = (s: string) => new Date(s);

describe('margins and outcomes', () => {
  it('margin is due − met in seconds: positive early, negative late, null unmet', () => {
    expect(marginSeconds(d('2026-11-22T07:10:00Z'), d('2026-11-22T06:55:30Z'))).toBe(870);
    expect(marginSeconds(d('2026-11-23T02:10:00Z'), d('2026-11-23T03:00:00Z'))).toBe(-3000);
    expect(marginSeconds(d('2026-11-23T02:10:00Z'), d('2026-11-23T02:10:00Z'))).toBe(0);
    expect(Object.is(marginSeconds(d('2026-11-23T02:10:00.000Z'), d('2026-11-23T02:10:00.400Z')), -0)).toBe(false);
    expect(marginSeconds(d('2026-11-23T02:10:00Z'), null)).toBeNull();
  });

  it('classifies: met exactly at due is on time; a late meet keeps the breach; unmet past due is missed', () => {
    const now = d('2026-11-23T05:00:00Z');
    const due = d('2026-11-23T02:10:00Z');
    expect(classifyClock({ dueAt: due, metAt: due, status: 'met' }, now)).toBe('met_on_time');
    expect(onTime({ dueAt: due, metAt: due, status: 'met' })).toBe(true);
    expect(classifyClock({ dueAt: due, metAt: d('2026-11-23T03:00:00Z'), status: 'missed' }, now)).toBe('met_late');
    expect(onTime({ dueAt: due, metAt: d('2026-11-23T03:00:00Z'), status: 'missed' })).toBe(false);
    expect(classifyClock({ dueAt: due, metAt: null, status: 'missed' }, now)).toBe('missed_unmet');
    // The scheduler has not marked it yet, but it is past due: still a miss.
    expect(classifyClock({ dueAt: due, metAt: null, status: 'pending' }, now)).toBe('missed_unmet');
    expect(classifyClock({ dueAt: d('2026-11-23T06:00:00Z'), metAt: null, status: 'pending' }, now)).toBe('pending');
    expect(classifyClock({ dueAt: due, metAt: null, status: 'waived' }, now)).toBe('waived');
    expect(onTime({ dueAt: due, metAt: null, status: 'waived' })).toBeNull();
  });

  it('median of odd and even counts, none is null', () => {
    expect(median([])).toBeNull();
    expect(median([17130])).toBe(17130);
    expect(median([17130, 10800])).toBe(13965);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('task acknowledgement latency and overdue', () => {
    expect(ackSeconds(d('2026-11-22T03:00:00Z'), d('2026-11-22T03:12:30Z'))).toBe(750);
    expect(ackSeconds(d('2026-11-22T03:00:00Z'), null)).toBeNull();
    const now = d('2026-11-22T12:00:00Z');
    expect(taskOverdue({ dueAt: null, doneAt: null }, now)).toBe(false);
    expect(taskOverdue({ dueAt: d('2026-11-22T10:00:00Z'), doneAt: d('2026-11-22T09:59:59Z') }, now)).toBe(false);
    expect(taskOverdue({ dueAt: d('2026-11-22T10:00:00Z'), doneAt: d('2026-11-22T10:00:01Z') }, now)).toBe(true);
    expect(taskOverdue({ dueAt: d('2026-11-22T10:00:00Z'), doneAt: null }, now)).toBe(true);
    expect(taskOverdue({ dueAt: d('2026-11-22T13:00:00Z'), doneAt: null }, now)).toBe(false);
  });
});

describe('compliance statistics', () => {
  const clock = (id: number, dept: number | null, kind: string, due: string, met: string | null, status: ComplianceClockRow['status']): ComplianceClockRow => ({
    deadlineId: id,
    kind,
    incidentId: 100 + id,
    incidentTitle: `事件${id}`,
    opinionItemId: null,
    departmentId: dept,
    dueAt: d(due),
    metAt: met ? d(met) : null,
    status,
  });
  const input = {
    from: d('2026-11-01T00:00:00Z'),
    to: d('2026-12-01T00:00:00Z'),
    now: d('2026-11-20T00:00:00Z'),
    departments: [
      { id: 1, name: '甲' },
      { id: 2, name: '乙' },
    ],
    clocks: [
      clock(1, 1, 'first_release', '2026-11-02T05:00:00Z', '2026-11-02T04:00:00Z', 'met'),
      clock(2, 1, 'press_conference', '2026-11-03T00:00:00Z', '2026-11-03T00:30:00Z', 'missed'),
      clock(3, 2, 'first_release', '2026-11-05T00:00:00Z', null, 'missed'),
      clock(4, 2, 'follow_up', '2026-11-25T00:00:00Z', null, 'pending'),
      clock(5, 2, 'press_conference', '2026-11-06T00:00:00Z', null, 'waived'),
      clock(6, null, 'opinion_response', '2026-11-07T00:00:00Z', null, 'missed'),
      // boundaries: exactly `from` is in, exactly `to` is out
      clock(7, 1, 'follow_up', '2026-11-01T00:00:00Z', '2026-10-31T23:00:00Z', 'met'),
      clock(8, 1, 'follow_up', '2026-12-01T00:00:00Z', null, 'missed'),
    ],
    firstReleases: [
      { incidentId: 1, departmentId: 1, occurredAt: d('2026-11-02T00:00:00Z'), firstPublishedAt: d('2026-11-02T04:00:00Z') },
      { incidentId: 2, departmentId: 1, occurredAt: d('2026-11-09T00:00:00Z'), firstPublishedAt: d('2026-11-09T03:00:00Z') },
      { incidentId: 3, departmentId: 1, occurredAt: d('2026-11-10T00:00:00Z'), firstPublishedAt: d('2026-11-10T09:00:00Z') },
      { incidentId: 4, departmentId: 2, occurredAt: d('2026-10-30T00:00:00Z'), firstPublishedAt: d('2026-10-31T00:00:00Z') }, // before the period
    ],
  };

  it('counts each outcome per department, with on-time rate and median time to first release', () => {
    const s = computeCompliance(input);
    expect(s.departments.map((x) => x.departmentName)).toEqual(['甲', '乙', '未指定部门']);
    expect(s.departments[0]).toEqual({
      departmentId: '1',
      departmentName: '甲',
      due: 3,
      metOnTime: 2,
      metLate: 1,
      missedUnmet: 0,
      waived: 0,
      pending: 0,
      onTimeRate: 0.667,
      firstReleases: 3,
      medianSecondsToFirstRelease: 4 * 3600,
    });
    expect(s.departments[1]).toMatchObject({ due: 3, metOnTime: 0, metLate: 0, missedUnmet: 1, waived: 1, pending: 1, onTimeRate: 0, firstReleases: 0, medianSecondsToFirstRelease: null });
    expect(s.departments[2]).toMatchObject({ departmentId: null, due: 1, missedUnmet: 1, medianSecondsToFirstRelease: null });
    expect(s.totals).toEqual({ due: 7, metOnTime: 2, metLate: 1, missedUnmet: 2, waived: 1, pending: 1, onTimeRate: 0.4, firstReleases: 3, medianSecondsToFirstRelease: 14400 });
  });

  it('lists breaches by due time with how late (unmet: until now) and the responsible department', () => {
    const s = computeCompliance(input);
    expect(s.breaches.map((b) => [b.deadlineId, b.kind, b.lateBySeconds, b.stillUnmet, b.departmentName])).toEqual([
      ['2', 'press_conference', 1800, false, '甲'],
      ['3', 'first_release', 15 * 86400, true, '乙'],
      ['6', 'opinion_response', 13 * 86400, true, '未指定部门'],
    ]);
    expect(s.breaches[0]).toMatchObject({ incidentId: '102', incidentTitle: '事件2', dueAt: '2026-11-03T00:00:00.000Z', metAt: '2026-11-03T00:30:00.000Z' });
  });

  it('lists every department given even with nothing due', () => {
    const s = computeCompliance({ ...input, clocks: [], firstReleases: [] });
    expect(s.departments.map((x) => [x.departmentName, x.due, x.onTimeRate])).toEqual([
      ['甲', 0, null],
      ['乙', 0, null],
    ]);
    expect(s.breaches).toEqual([]);
  });
});

describe('Beijing time', () => {
  it('formats instants in UTC+8 and finds local days', () => {
    expect(localDateTime('2026-11-22T06:55:30Z')).toBe('2026-11-22 14:55:30');
    expect(localDateTime('2026-11-22T16:00:00Z')).toBe('2026-11-23 00:00:00');
    expect(localDateTime(null)).toBe('');
    expect(localDate('2026-11-22T15:59:59.999Z')).toBe('2026-11-22');
    expect(localDate('2026-11-22T16:00:00Z')).toBe('2026-11-23');
    const w = localDayWindow('2026-11-22');
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual(['2026-11-21T16:00:00.000Z', '2026-11-22T16:00:00.000Z']);
    expect(addLocalDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addLocalDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(isLocalDate('2026-02-29')).toBe(false);
    expect(isLocalDate('2028-02-29')).toBe(true);
    expect(isLocalDate('2026-11-22T00:00')).toBe(false);
  });

  it('next 07:30 in Beijing strictly after now', () => {
    expect(nextLocalTime(d('2026-11-22T23:00:00Z'), '07:30').toISOString()).toBe('2026-11-22T23:30:00.000Z'); // 07:00 local
    expect(nextLocalTime(d('2026-11-22T23:30:00Z'), '07:30').toISOString()).toBe('2026-11-23T23:30:00.000Z'); // exactly then: tomorrow
    expect(nextLocalTime(d('2026-11-22T16:00:00Z'), '00:00').toISOString()).toBe('2026-11-23T16:00:00.000Z');
    expect(nextLocalTime(d('2026-11-22T15:59:00Z'), '00:00').toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(() => nextLocalTime(d('2026-11-22T00:00:00Z'), '7:30')).toThrow(RangeError);
  });

  it('durations and margins in Chinese', () => {
    expect(chineseDuration(17130)).toBe('4小时45分30秒');
    expect(chineseDuration(13965)).toBe('3小时52分45秒');
    expect(chineseDuration(-3000)).toBe('−50分');
    expect(chineseDuration(90000)).toBe('1天1小时');
    expect(chineseDuration(0)).toBe('0秒');
    expect(chineseDuration(null)).toBe('—');
    expect(marginWords(870)).toBe('提前14分30秒');
    expect(marginWords(-3000)).toBe('超时50分');
    expect(marginWords(0)).toBe('准时');
    expect(percent(0.6667)).toBe('66.7%');
    expect(percent(null)).toBe('—');
    expect(percentPoints(0.2)).toBe('+20.0个百分点');
    expect(percentPoints(-0.125)).toBe('−12.5个百分点');
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and line breaks; neutralises formulas; keeps numbers numeric', () => {
    expect(csvCell('普通')).toBe('普通');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('说"明"')).toBe('"说""明"""');
    expect(csvCell('一行\r\n两行')).toBe('"一行\r\n两行"');
    expect(csvCell(' padded ')).toBe('" padded "');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-3000')).toBe("'-3000"); // text that looks like a formula start
    expect(csvCell(-3000)).toBe('-3000'); // a number stays a number
    expect(csvCell(true)).toBe('是');
    expect(csvCell(null)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('a document with BOM and CRLF that csv-parse reads back cell for cell', () => {
    const header = ['分节', '名称', '秒数'];
    const rows = [...sectionRows(header, '时限', [{ 名称: '首次权威发布', 秒数: 870 }]), ...sectionRows(header, '任务', [{ 名称: '核实"伤亡",人数\n第二行' }])];
    const text = toCsv(header, rows);
    expect(text.startsWith(BOM)).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(parseCsv(text, { bom: true })).toEqual([header, ['时限', '首次权威发布', '870'], ['任务', '核实"伤亡",人数\n第二行', '']]);
    expect(() => sectionRows(header, 'x', [{ 不存在: 1 }])).toThrow(/not in header/);
  });
});

describe('timeline lines', () => {
  it('describes known events in Chinese and falls back to the type', () => {
    expect(describeEvent('release.published', { release: { kind: 'initial', title: '情况通报' } })).toBe('正式发布：首次发布「情况通报」');
    expect(describeEvent('deadline.met', { deadline: { kind: 'press_conference' }, late: true })).toBe('时限完成：新闻发布会（超时完成）');
    expect(describeEvent('deadline.missed', { deadline: { kind: 'first_release' }, loggedLate: true })).toBe('时限超时：首次权威发布（登记时已超过时限）');
    expect(describeEvent('deadline.waived', { deadline: { kind: 'first_release' }, reason: '统一发布' })).toBe('时限豁免：首次权威发布，理由：统一发布');
    expect(describeEvent('incident.updated', { changes: { 'casualties.deaths': { from: 1, to: 3 } } })).toBe('更新事实：死亡：1→3');
    expect(describeEvent('task.acked', { task: { title: '核实' } })).toBe('签收任务「核实」');
    expect(describeEvent('something.new', null)).toBe('something.new');
  });
});

describe('opinion chart', () => {
  it('draws bars for each hour and markers for releases, escaping labels', () => {
    const series = Array.from({ length: 6 }, (_, i) => ({ t: new Date(Date.UTC(2026, 10, 22, i)).toISOString(), total: i, negative: i % 2 }));
    const svg = opinionChart(series, [{ at: '2026-11-22T03:30:00Z', label: '<b>通报</b>' }], '走势 & 发布');
    expect(svg.match(/<rect /g)).toHaveLength(5 + 3); // 5 non-empty hours, 3 with negatives
    expect(svg).toContain('&lt;b&gt;通报&lt;/b&gt;');
    expect(svg).toContain('走势 &amp; 发布');
    expect(svg).toContain('stroke-dasharray');
    expect(opinionChart([], [], 'x')).toBe('');
  });
});
