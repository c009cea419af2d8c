import type { Evidence } from './model.js';

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more chars)`;
}

/** Where a body was cut when it was recorded: what the whole was, so a reader knows what is missing. */
function cutLine(cut: { bytes: number; sha256: string; keptChars: number } | undefined): string[] {
  return cut
    ? [`… (body cut at ${cut.keptChars} chars: ${cut.bytes} bytes in all, sha256 ${cut.sha256})`]
    : [];
}

function headerLines(mark: string, headers: Record<string, string>): string[] {
  return Object.entries(headers).map(([name, value]) => `${mark} ${name}: ${value}`);
}

/**
 * One exchange as plain text, in the shape of `curl -v` (`>` sent, `<` received), then what the
 * origin saw and what went wrong. Bodies longer than `bodyLimit` are cut.
 */
export function evidenceText(evidence: Evidence, bodyLimit = Number.POSITIVE_INFINITY): string {
  const lines: string[] = [];
  const { request, response, origin } = evidence;
  if (request) {
    lines.push(`> ${request.method} ${request.url}`, ...headerLines('>', request.headers));
    if (request.body) lines.push('>', clip(request.body, bodyLimit), ...cutLine(request.bodyCut));
  }
  if (response) {
    lines.push(
      `< ${response.status} (${Math.round(response.durationMs)} ms)`,
      ...headerLines('<', response.headers),
    );
    if (response.body) lines.push('<', clip(response.body, bodyLimit), ...cutLine(response.bodyCut));
    const { bodyBytes, bodySha256 } = response;
    if (!response.bodyCut && bodyBytes !== undefined && bodyBytes > Buffer.byteLength(response.body ?? '')) {
      lines.push(`< (body of ${bodyBytes} bytes in all${bodySha256 ? `, sha256 ${bodySha256}` : ''})`);
    }
  }
  if (origin) lines.push(`origin reached: ${origin.reached}${origin.note ? ` (${origin.note})` : ''}`);
  if (evidence.error) lines.push(`error: ${evidence.error}`);
  for (const violation of evidence.contractViolations ?? []) lines.push(`contract violation: ${violation}`);
  if (evidence.note) lines.push(`note: ${evidence.note}`);
  return lines.join('\n');
}
