// CSV for Excel users: UTF-8 with a BOM (so Excel detects UTF-8 and shows Chinese), CRLF line ends, RFC 4180
// quoting. Text typed by people that starts like a formula (= + - @, tab, CR) is prefixed with an apostrophe, so a
// release title cannot run as a spreadsheet formula when the file is opened (CSV injection). Numbers are written as
// numbers (a negative margin stays -3000).

export const BOM = '\uFEFF';

export type Cell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else if (typeof value === 'boolean') text = value ? '是' : '否';
  else text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A whole CSV document: BOM, header row, data rows; every row padded to the header's width. */
export function toCsv(header: string[], rows: Cell[][]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) {
    const cells = header.map((_, i) => csvCell(row[i]));
    lines.push(cells.join(','));
  }
  return BOM + lines.join('\r\n') + '\r\n';
}

/**
 * Rows for a table with a `section` column: each section maps its records onto the named columns it uses and leaves
 * the rest empty, so the file stays one rectangle that any CSV reader (and Excel's AutoFilter) handles.
 */
export function sectionRows(header: string[], section: string, records: Record<string, Cell>[]): Cell[][] {
  const index = new Map(header.map((h, i) => [h, i]));
  return records.map((record) => {
    const row: Cell[] = new Array(header.length).fill(null);
    row[0] = section;
    for (const [key, value] of Object.entries(record)) {
      const i = index.get(key);
      if (i === undefined) throw new Error(`CSV column not in header: ${key}`);
      row[i] = value;
    }
    return row;
  });
}
