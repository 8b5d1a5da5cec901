// CAP 1.2 mapping and XML for public releases (pure), validated against the OASIS schema with xmllint.
import { describe, expect, it } from 'vitest';
import { capCategory, capForRelease, renderCap, type CapAlert } from '../../server/public/cap.ts';
import type { PublicIncident, PublicRelease, ReleaseContext, ReleaseRef } from '../../server/public/model.ts';
import { SiteUrls } from '../../server/public/site.ts';
import { hasXmllint, texts, xmllint, xmllintSkipReason } from '../support/public-tools.ts';

if (!hasXmllint) console.warn(xmllintSkipReason);

const site = { urls: new SiteUrls('https://www.example.gov.cn/'), publisher: '市人民政府新闻办公室', defaultArea: '全市' };

const incident: PublicIncident = {
  id: 7,
  title: '城东化工园区储罐爆炸',
  category: 'accident',
  severity: 'II',
  location: '城东化工园区',
  keywords: [],
  status: 'open',
  updatedAt: new Date('2026-11-22T02:40:00Z'),
};

function release(id: number, publishedAt: string, extra: Partial<PublicRelease> = {}): PublicRelease {
  return {
    id,
    incidentId: incident.id,
    kind: 'update',
    title: `第${id}号通报`,
    body: `正文${id}`,
    status: 'published',
    publishedAt: new Date(publishedAt),
    retractedAt: null,
    retractReason: null,
    correctsReleaseId: null,
    ...extra,
  };
}

const ref = (r: PublicRelease): ReleaseRef => ({
  id: r.id,
  incidentId: r.incidentId,
  kind: r.kind,
  title: r.title,
  status: r.status,
  publishedAt: r.publishedAt,
  retractedAt: r.retractedAt,
});

function context(r: PublicRelease, thread: PublicRelease[], extra: Partial<ReleaseContext> = {}): ReleaseContext {
  return { release: r, incident, thread: thread.map(ref), corrects: null, correctedBy: [], ...extra };
}

const first = release(1, '2026-11-22T06:40:00.250Z', { kind: 'initial' });
const second = release(2, '2026-11-22T09:00:00Z');
const third = release(3, '2026-11-22T09:00:00Z'); // same second as `second`: ordered by id
const SENDER = 'beacon@www.example.gov.cn';

describe('CAP mapping', () => {
  it('the first public release of an incident is an Alert without references', () => {
    const cap = capForRelease(context(first, [first, second, third]), site);
    expect(cap).toMatchObject({
      identifier: 'beacon-release-1',
      sender: SENDER,
      sent: '2026-11-22T14:40:00+08:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      references: [],
      incidents: 'beacon-incident-7',
      note: null,
    });
    expect(cap.info).toEqual({
      language: 'zh-CN',
      category: 'Safety',
      event: '城东化工园区储罐爆炸',
      urgency: 'Immediate',
      severity: 'Severe',
      certainty: 'Observed',
      senderName: '市人民政府新闻办公室',
      headline: '第1号通报',
      description: '正文1',
      web: 'https://www.example.gov.cn/public/releases/1',
      areaDesc: '城东化工园区',
    });
  });

  it('later releases are Updates referencing every earlier alert, oldest first, as sender,identifier,sent', () => {
    expect(capForRelease(context(second, [first, second, third]), site)).toMatchObject({
      msgType: 'Update',
      references: [`${SENDER},beacon-release-1,2026-11-22T14:40:00+08:00`],
    });
    expect(capForRelease(context(third, [first, second, third]), site).references).toEqual([
      `${SENDER},beacon-release-1,2026-11-22T14:40:00+08:00`,
      `${SENDER},beacon-release-2,2026-11-22T17:00:00+08:00`,
    ]);
  });

  it('a correction references the release it corrects even when that belongs to another incident', () => {
    const elsewhere = release(40, '2026-11-21T01:00:00Z', { incidentId: 99 });
    const fix = release(5, '2026-11-22T10:00:00Z', { kind: 'correction', correctsReleaseId: 40 });
    const cap = capForRelease(context(fix, [first, fix], { corrects: ref(elsewhere) }), site);
    expect(cap.msgType).toBe('Update');
    expect(cap.references).toEqual([
      `${SENDER},beacon-release-40,2026-11-21T09:00:00+08:00`,
      `${SENDER},beacon-release-1,2026-11-22T14:40:00+08:00`,
    ]);
  });

  it('a retracted release is a Cancel of its own alert, sent when retracted, without the body', () => {
    const gone = release(2, '2026-11-22T09:00:00Z', {
      status: 'retracted',
      body: '',
      retractedAt: new Date('2026-11-22T11:30:00Z'),
      retractReason: '数据有误',
    });
    const cap = capForRelease(context(gone, [first, gone]), site);
    expect(cap).toMatchObject({
      identifier: 'beacon-release-2-cancel',
      msgType: 'Cancel',
      sent: '2026-11-22T19:30:00+08:00',
      references: [`${SENDER},beacon-release-2,2026-11-22T17:00:00+08:00`],
      note: '撤回原因：数据有误',
    });
    expect(cap.info.urgency).toBe('Past');
    expect(cap.info.description).toContain('数据有误');
    expect(cap.info.headline).toBe('已撤回：第2号通报');
  });

  it('maps grades to CAP severities and an empty location to the default area', () => {
    const severities = (['I', 'II', 'III', 'IV'] as const).map(
      (severity) => capForRelease({ ...context(first, [first]), incident: { ...incident, severity, location: ' ' } }, site).info,
    );
    expect(severities.map((i) => i.severity)).toEqual(['Extreme', 'Severe', 'Moderate', 'Minor']);
    expect(severities[0].areaDesc).toBe('全市');
  });

  it.each([
    ['accident', '化工厂爆炸', [], 'Safety'],
    ['public_health', '聚集性疫情', [], 'Health'],
    ['social_security', '群体性事件', [], 'Security'],
    ['natural_disaster', '“7·20”特大暴雨', ['暴雨'], 'Met'],
    ['natural_disaster', '台风“海燕”', [], 'Met'],
    ['natural_disaster', '山区突发灾害', ['泥石流'], 'Geo'],
    ['natural_disaster', '4.8级地震', [], 'Geo'],
    ['natural_disaster', '北山森林火灾', [], 'Fire'],
  ] as const)('category %s "%s" %j → %s', (category, title, keywords, expected) => {
    expect(capCategory({ category, title, keywords: [...keywords] })).toBe(expected);
  });
});

const ORDER = [
  'identifier', 'sender', 'sent', 'status', 'msgType', 'scope', 'note', 'references', 'incidents', 'info',
  'language', 'category', 'event', 'urgency', 'severity', 'certainty', 'senderName', 'headline', 'description', 'web',
  'area', 'areaDesc',
];

function elementOrder(xml: string): string[] {
  return [...xml.matchAll(/<([a-zA-Z]+)[\s>]/g)].map((m) => m[1]).filter((n) => n !== 'alert');
}

describe('CAP XML', () => {
  const nasty = release(2, '2026-11-22T09:00:00Z', {
    title: '标题 <b>粗</b> & "引号"',
    body: "第一段 <script>alert(1)</script>\n第二段 & 'x' \u0000\u0007控制字符",
  });
  const docs: [string, CapAlert][] = [
    ['alert', capForRelease(context(first, [first, nasty]), site)],
    ['update with script', capForRelease(context(nasty, [first, nasty]), site)],
    [
      'cancel',
      capForRelease(
        context(release(3, '2026-11-22T09:30:00Z', { status: 'retracted', body: '', retractedAt: new Date('2026-11-22T12:00:00Z'), retractReason: '<原因> & 说明' }), [first]),
        site,
      ),
    ],
  ];

  it.each(docs)('%s: elements in schema order, dates in the CAP pattern, text escaped', (_name, alert) => {
    const xml = renderCap(alert);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">')).toBe(true);
    const order = elementOrder(xml);
    expect(order).toEqual(ORDER.filter((n) => order.includes(n)));
    for (const sent of texts(xml, 'sent')) expect(sent).toMatch(/^\d\d\d\d-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$/);
    expect(xml).not.toMatch(/<script|<b>|[\u0000-\u0008]/);
  });

  it('a body with markup and control characters comes back as the same text, minus the invalid characters', () => {
    const xml = renderCap(docs[1][1]);
    expect(texts(xml, 'description')).toEqual(["第一段 <script>alert(1)</script>\n第二段 & 'x' 控制字符"]);
    expect(texts(xml, 'headline')).toEqual(['标题 <b>粗</b> & "引号"']);
  });

  it.for(docs)('%s validates against the OASIS CAP 1.2 schema', ([, alert], t) => {
    if (!hasXmllint) t.skip(xmllintSkipReason);
    const result = xmllint(renderCap(alert), { schema: true });
    expect(result.output).toContain('validates');
    expect(result.ok).toBe(true);
  });

  it('the schema check can fail: a Z timestamp and a wrong element order are rejected', (t) => {
    if (!hasXmllint) t.skip(xmllintSkipReason);
    const good = renderCap(docs[0][1]);
    const zulu = good.replace(/<sent>[^<]+<\/sent>/, '<sent>2026-11-22T06:40:00Z</sent>');
    expect(xmllint(zulu, { schema: true }).ok).toBe(false);
    const swapped = good.replace(/(<status>Actual<\/status>\n)(\s*<msgType>[^<]+<\/msgType>\n)/, '$2$1');
    expect(swapped).not.toBe(good);
    expect(xmllint(swapped, { schema: true }).ok).toBe(false);
  });
});
