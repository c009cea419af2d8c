import type { Exchange } from '../src/contract/typed-client.js';
import type { Echo } from '../src/probe/protocol.js';
import type { Feature, Profile } from '../src/target/profile-schema.js';
import { type CaseBody, expect, gateCase, test } from './fixtures.js';

/**
 * Identity spoofing: the integration learns who the caller is from headers only the gateway may
 * set (the authorizer context, `x-gp-authorizer-*`; and the identity headers a target declares).
 * A client that sends them itself, on a request the gateway admits, must never have its values
 * reach the integration as if the gateway had set them. One family, mapped over every route that
 * identifies its caller; each variant holds a header the gateway does not set on that route, so a
 * gateway that only overwrites what it sets is caught too.
 */

const REFS = ['aws-semantics.md#authorizers', 'https://cwe.mitre.org/data/definitions/290.html'];

interface Spoof {
  name: string;
  title: string;
  names: (target: Profile) => readonly string[];
}

const AUTHORIZER_CONTEXT: Spoof[] = [
  {
    name: 'authorizer-context',
    title: 'authorizer-context headers (x-gp-authorizer-*) a client sends never reach the integration',
    names: () => ['x-gp-authorizer-principalid', 'x-gp-authorizer-claims-sub', 'x-gp-authorizer-role'],
  },
  {
    name: 'authorizer-context-mixed-case',
    title: 'authorizer-context headers a client sends in mixed case never reach the integration',
    names: () => ['X-Gp-Authorizer-PrincipalId', 'X-GP-AUTHORIZER-ROLE'],
  },
];

const DECLARED: Spoof = {
  name: 'declared-identity',
  title: 'the identity headers the target declares, sent by a client, never reach the integration',
  names: (target) => target.identityHeaders,
};

/** Every spoofing variant, for a route whose gateway passes the caller's identity on. */
export const SPOOFS: readonly Spoof[] = [...AUTHORIZER_CONTEXT, DECLARED];

export type SendAdmitted = (
  fixtures: Parameters<CaseBody>[0],
  spoofed: Record<string, string>,
) => Promise<Exchange>;

/** The spoofing cases of one route: `<suite>.spoof.<variant>`, sent by `send` as an admitted request. */
export function spoofCases(
  suite: string,
  where: string,
  features: Feature[],
  send: SendAdmitted,
  spoofs: readonly Spoof[] = SPOOFS,
): void {
  for (const spoof of spoofs) {
    gateCase(
      {
        id: `${suite}.spoof.${spoof.name}`,
        title: `${where}: ${spoof.title}`,
        level: 'core',
        features,
        refs: REFS,
      },
      async (fixtures) => {
        const names = spoof.names(fixtures.target);
        test.skip(names.length === 0, 'the profile declares no identityHeaders');
        const value = `gp-spoofed-${fixtures.nonce}`;
        const res = await send(fixtures, Object.fromEntries(names.map((name) => [name, value])));
        expect(res.status, 'the request is admitted').toBe(200);
        const echo = res.json as Echo | undefined;
        expect(echo?.nonce, 'the echo is of this request').toBe(fixtures.nonce);
        const leaked = Object.entries(echo?.headers ?? {})
          .filter(([, received]) => received.includes(value))
          .map(([name]) => name);
        expect(leaked, "headers that reached the integration with the client's value").toEqual([]);
      },
    );
  }
}

/** Only the declared identity headers: for gateways that pass no authorizer context on this route. */
export const DECLARED_ONLY: readonly Spoof[] = [DECLARED];
