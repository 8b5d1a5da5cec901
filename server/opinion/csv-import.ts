// CSV import of hotline (12345) records: a header row in Chinese or English, one record per row.
import { parse } from 'csv-parse/sync';
import { invalid } from '../errors.ts';
import type { RawItem } from './ingest.ts';

const COLUMNS: Record<string, keyof RawItem> = {
  content: 'content', 内容: 'content', 诉求内容: 'content', 来电内容: 'content',
  title: 'title', 标题: 'title', 诉求类型: 'title',
  externalid: 'externalId', id: 'externalId', 编号: 'externalId', 工单号: 'externalId', 工单编号: 'externalId',
  author: 'author', 来电人: 'author', 反映人: 'author',
  publishedat: 'publishedAt', time: 'publishedAt', 时间: 'publishedAt', 来电时间: 'publishedAt',
  url: 'url',
};

/** Parses the CSV; a row without content, or a time that cannot be read, is a 400 naming its line. */
export function parseHotlineCsv(text: string): RawItem[] {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), { skip_empty_lines: true, relax_column_count: true, trim: true });
  } catch (err) {
    throw invalid('(body)', `not readable as CSV: ${(err as Error).message}`);
  }
  if (records.length < 2) throw invalid('(body)', 'needs a header row and at least one record');
  const header = records[0].map((h) => COLUMNS[h.toLowerCase().replace(/[\s_]/g, '')] ?? null);
  if (!header.includes('content')) throw invalid('(body)', 'the header must name a content column (content / 内容 / 诉求内容)');
  return records.slice(1).map((cells, i) => {
    const item: Record<string, string> = {};
    header.forEach((field, c) => {
      if (field && cells[c]) item[field] = cells[c];
    });
    const line = i + 2;
    if (!item.content) throw invalid(`line ${line}.content`, 'is empty');
    if (item.publishedAt) {
      const t = new Date(item.publishedAt.replace(' ', 'T') + (/[zZ]|[+-]\d\d:?\d\d$/.test(item.publishedAt) ? '' : '+08:00'));
      if (Number.isNaN(t.getTime())) throw invalid(`line ${line}.publishedAt`, `cannot read the time "${item.publishedAt}"`);
      item.publishedAt = t.toISOString();
    }
    return item as unknown as RawItem;
  });
}
