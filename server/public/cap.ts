// CAP 1.2 (OASIS Common Alerting Protocol) for public releases: the mapping from a release and its incident to an
// alert message, and the XML. Pure: the caller supplies the release's context and the site's URLs.
//
// Mapping decisions (documented here and in the report to the lead):
// - One message per release and action. Published: identifier `beacon-release-<id>`, sent = published_at.
//   Retracted: identifier `beacon-release-<id>-cancel`, msgType Cancel, sent = retracted_at, referencing its own alert.
// - msgType Alert for the first public release of an incident, Update for every later one; an Update's <references>
//   lists the alerts of all earlier public releases of the incident (also ones retracted since: they were sent),
//   plus the corrected release for a correction, as `sender,identifier,sent` separated by spaces, oldest first.
// - <incidents> is `beacon-incident-<incident id>`, so receivers can group the thread.
// - sender `beacon@<host of the public base URL>`; status Actual; scope Public; one <info> in zh-CN.
// - category: accident → Safety; public_health → Health; social_security → Security; natural_disaster → Geo when the
//   incident's title or keywords name a geological hazard (地震, 滑坡, 泥石流, 崩塌, 地面塌陷, 地裂缝, 火山, 海啸), Fire for a
//   forest or grassland fire, otherwise Met (CAP's Met includes floods; rainstorms, typhoons, floods, drought, cold
//   waves and the like are the bulk of the city's natural disasters).
// - severity I→Extreme, II→Severe, III→Moderate, IV→Minor; urgency Immediate; certainty Observed (a release reports
//   verified facts). A Cancel keeps category, event and severity but says urgency Past: no action is asked any more.
// - event = incident title; headline = release title; description = body (a Cancel: the reason; the body is withheld);
//   web = the release's public page; areaDesc = the incident's location, or the site's default area when empty.
import type { Severity } from '../../shared/domain.ts';
import { escapeXml } from './escape.ts';
import { zonedIso } from './format.ts';
import { byPublication, type PublicIncident, type ReleaseContext, type ReleaseRef } from './model.ts';
import type { SiteUrls } from './site.ts';

export const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

export type CapCategory = 'Geo' | 'Met' | 'Safety' | 'Security' | 'Health' | 'Fire';
export type CapSeverity = 'Extreme' | 'Severe' | 'Moderate' | 'Minor';
export type CapMsgType = 'Alert' | 'Update' | 'Cancel';

export interface CapInfo {
  language: 'zh-CN';
  category: CapCategory;
  event: string;
  urgency: 'Immediate' | 'Past';
  severity: CapSeverity;
  certainty: 'Observed';
  senderName: string;
  headline: string;
  description: string;
  web: string;
  areaDesc: string;
}

export interface CapAlert {
  identifier: string;
  sender: string;
  sent: string;
  status: 'Actual';
  msgType: CapMsgType;
  scope: 'Public';
  note: string | null;
  /** `sender,identifier,sent` each. */
  references: string[];
  incidents: string;
  info: CapInfo;
}

export const CAP_SEVERITY: Record<Severity, CapSeverity> = { I: 'Extreme', II: 'Severe', III: 'Moderate', IV: 'Minor' };

const GEOLOGICAL = /地震|滑坡|泥石流|崩塌|地面塌陷|地裂缝|火山|海啸/;
const WILDFIRE = /森林火灾|草原火灾|山火|林火/;

export function capCategory(incident: Pick<PublicIncident, 'category' | 'title' | 'keywords'>): CapCategory {
  switch (incident.category) {
    case 'accident':
      return 'Safety';
    case 'public_health':
      return 'Health';
    case 'social_security':
      return 'Security';
    case 'natural_disaster': {
      const text = [incident.title, ...incident.keywords].join(' ');
      if (GEOLOGICAL.test(text)) return 'Geo';
      if (WILDFIRE.test(text)) return 'Fire';
      return 'Met';
    }
  }
}

export const alertIdentifier = (releaseId: number) => `beacon-release-${releaseId}`;
export const cancelIdentifier = (releaseId: number) => `beacon-release-${releaseId}-cancel`;
export const incidentIdentifier = (incidentId: number) => `beacon-incident-${incidentId}`;
export const capSender = (urls: SiteUrls) => `beacon@${urls.host}`;

/** The CAP message a public release stands for now: its alert (Alert/Update) or, once retracted, its Cancel. */
export function capForRelease(
  context: ReleaseContext,
  site: { urls: SiteUrls; publisher: string; defaultArea: string },
): CapAlert {
  const { release, incident } = context;
  const sender = capSender(site.urls);
  const alertRef = (r: ReleaseRef) => `${sender},${alertIdentifier(r.id)},${zonedIso(r.publishedAt)}`;
  const base = {
    language: 'zh-CN' as const,
    category: capCategory(incident),
    event: incident.title,
    severity: CAP_SEVERITY[incident.severity],
    certainty: 'Observed' as const,
    senderName: site.publisher,
    web: site.urls.release(release.id),
    areaDesc: incident.location.trim() || site.defaultArea,
  };

  if (release.status === 'retracted') {
    const reason = release.retractReason?.trim() || '未说明';
    const self: ReleaseRef = { ...release };
    return {
      identifier: cancelIdentifier(release.id),
      sender,
      sent: zonedIso(release.retractedAt ?? release.publishedAt),
      status: 'Actual',
      msgType: 'Cancel',
      scope: 'Public',
      note: `撤回原因：${reason}`,
      references: [alertRef(self)],
      incidents: incidentIdentifier(incident.id),
      info: { ...base, urgency: 'Past', headline: `已撤回：${release.title}`, description: `此前发布的《${release.title}》已撤回。撤回原因：${reason}` },
    };
  }

  const earlier = context.thread.filter((r) => r.id !== release.id && byPublication(r, release) < 0);
  if (context.corrects && !earlier.some((r) => r.id === context.corrects!.id)) earlier.push(context.corrects);
  earlier.sort(byPublication);
  return {
    identifier: alertIdentifier(release.id),
    sender,
    sent: zonedIso(release.publishedAt),
    status: 'Actual',
    msgType: earlier.length === 0 ? 'Alert' : 'Update',
    scope: 'Public',
    note: null,
    references: earlier.map(alertRef),
    incidents: incidentIdentifier(incident.id),
    info: { ...base, urgency: 'Immediate', headline: release.title, description: release.body },
  };
}

const el = (indent: string, name: string, text: string) => `${indent}<${name}>${escapeXml(text)}</${name}>\n`;

/** The CAP 1.2 XML document; element order follows the OASIS schema. */
export function renderCap(alert: CapAlert): string {
  const i = alert.info;
  let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<alert xmlns="${CAP_NS}">\n`;
  xml += el('  ', 'identifier', alert.identifier);
  xml += el('  ', 'sender', alert.sender);
  xml += el('  ', 'sent', alert.sent);
  xml += el('  ', 'status', alert.status);
  xml += el('  ', 'msgType', alert.msgType);
  xml += el('  ', 'scope', alert.scope);
  if (alert.note) xml += el('  ', 'note', alert.note);
  if (alert.references.length) xml += el('  ', 'references', alert.references.join(' '));
  xml += el('  ', 'incidents', alert.incidents);
  xml += '  <info>\n';
  xml += el('    ', 'language', i.language);
  xml += el('    ', 'category', i.category);
  xml += el('    ', 'event', i.event);
  xml += el('    ', 'urgency', i.urgency);
  xml += el('    ', 'severity', i.severity);
  xml += el('    ', 'certainty', i.certainty);
  xml += el('    ', 'senderName', i.senderName);
  xml += el('    ', 'headline', i.headline);
  xml += el('    ', 'description', i.description);
  xml += el('    ', 'web', i.web);
  xml += '    <area>\n';
  xml += el('      ', 'areaDesc', i.areaDesc);
  xml += '    </area>\n';
  xml += '  </info>\n</alert>\n';
  return xml;
}
