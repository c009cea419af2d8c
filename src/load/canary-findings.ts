/** Body bytes classify() needs: the echo's headers, x-gp-tag among them, come within the first kilobytes. */
export const CANARY_BODY_BYTES = 4096;
/** z of a two-sided 99 % interval. */
const Z99 = 2.5758;

/**
 * Tags each response with the channel that served it, from the deployment id the probe echoes, so
 * latency is kept per channel (`tag:canary`, `tag:stage`). The share itself is never taken from
 * responses: it is counted at the probe (see canaryFindings).
 */
export function channelClassifier(canaryDeploymentId: string) {
  const marker = `"x-gp-tag":"${canaryDeploymentId}"`;
  return (status: number, _headers: Record<string, string>, body: string | undefined): string | undefined => {
    if (status < 200 || status >= 300 || body === undefined) return undefined;
    return body.includes(marker) ? 'canary' : body.includes('"x-gp-tag":"') ? 'stage' : undefined;
  };
}

/** Wilson's score interval for a share of `n` trials: it stays inside [0, 1] and is honest at small shares. */
export function wilsonInterval(successes: number, n: number, z = Z99): [number, number] {
  if (n === 0) return [0, 1];
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [round(Math.max(0, centre - half)), round(Math.min(1, centre + half))];
}

/**
 * The canary's share of the requests that reached the probe under the run's nonce, by the
 * deployment id each carried: `share` with its 99 % interval, against the declared percentTraffic.
 */
export function canaryFindings(
  seen: Record<string, number>,
  canaryDeploymentId: string,
  percentTraffic: number,
): Record<string, unknown> {
  let canary = 0;
  let total = 0;
  const byDeployment: Record<string, number> = {};
  for (const [where, count] of Object.entries(seen)) {
    const deployment = where.slice(where.indexOf('#') + 1);
    byDeployment[deployment] = (byDeployment[deployment] ?? 0) + count;
    total += count;
    if (deployment === canaryDeploymentId) canary += count;
  }
  return {
    declaredShare: percentTraffic / 100,
    ...(total > 0 && { share: round(canary / total), shareCI: wilsonInterval(canary, total) }),
    canaryRequests: canary,
    atProbe: total,
    canaryDeploymentId,
    byDeployment,
    ...(total === 0 && { note: 'no request reached the probe' }),
  };
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
