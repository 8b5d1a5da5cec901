// Escaping for the public site. Release bodies and incident facts are plain text typed by people:
// every one of them goes through here before it reaches HTML or XML.

// Characters XML 1.0 forbids outright (C0 controls other than tab/newline/return, lone surrogates,
// U+FFFE/U+FFFF). One of them in a body would make every feed ill-formed, so they are dropped.
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes characters that may not appear in an XML 1.0 document (or sensibly in HTML). */
export function stripInvalidChars(text: string): string {
  return text.replace(XML_INVALID, '');
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or attribute value for HTML. */
export function escapeHtml(text: string): string {
  return stripInvalidChars(text).replace(/[&<>"']/g, (ch) => ENTITIES[ch]);
}

/** Text or attribute value for XML (the five predefined entities; invalid characters dropped). */
export function escapeXml(text: string): string {
  return stripInvalidChars(text).replace(/[&<>"']/g, (ch) => (ch === "'" ? '&apos;' : ENTITIES[ch]));
}

/** A plain-text body as paragraphs: each non-empty line is one paragraph. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\r\n|\r|\n|\u2028|\u2029/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}
