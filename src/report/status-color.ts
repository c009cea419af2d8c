/** One colour per status family, 429 apart from the other 4xx: the throttle's answer is the one people look for. */
export function statusColor(status: string): string {
  if (status === '429') return '#e8870e';
  if (status.startsWith('2')) return '#2e9d4f';
  if (status.startsWith('3')) return '#3a7bd5';
  if (status.startsWith('4')) return '#9b4dca';
  if (status.startsWith('5')) return '#d93636';
  return '#888888';
}
