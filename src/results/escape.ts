const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Characters XML 1.0 forbids (C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF),
 * plus DEL and the C1 controls, which HTML renders as nothing.
 */
function isInvisible(code: number): boolean {
  return (
    (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x7f && code <= 0x9f) ||
    (code >= 0xd800 && code <= 0xdfff) ||
    code === 0xfffe ||
    code === 0xffff
  );
}

/** Makes control characters visible as `\uXXXX`, so evidence shows what the target really sent. */
export function showControls(text: string): string {
  let out = '';
  // By code point: a surrogate seen here is a lone one, since pairs arrive joined.
  for (const char of text) {
    const code = char.codePointAt(0)!;
    out += isInvisible(code) ? `\\u${code.toString(16).padStart(4, '0')}` : char;
  }
  return out;
}

/** Escapes text for XML or HTML, in content or in a quoted attribute, and keeps the document well-formed. */
export function escapeMarkup(text: string): string {
  return showControls(text).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/** For XML attributes, where a parser would turn raw newlines and tabs into spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeMarkup(text).replace(/[\t\n\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}
