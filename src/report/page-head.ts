import { html, type SafeHtml, trusted } from './escape.js';
import { STYLES } from './styles.js';

/**
 * The reports open from disk with no network: the policy forbids every fetch, and styles are
 * inline. One head for every report, so none of them drifts from that promise.
 */
export const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

export function pageHead(title: string, extraStyles = ''): SafeHtml {
  return html`<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(STYLES)}${trusted(extraStyles)}</style>
</head>`;
}
