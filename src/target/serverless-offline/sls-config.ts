import { stringify } from 'yaml';
import { loadContract } from '../../contract/load-contract.js';
import type { Profile } from '../profile-schema.js';
import type { LambdaProxyOptions } from './lambda-proxy.js';
import { slsValidatedRequest, VALIDATED_PATHS } from './sls-validation.js';
import {
  type HandlerWriter,
  slsWebSocketFunctions,
  WEBSOCKET_HARD_TIMEOUT_S,
  WEBSOCKET_IDLE_TIMEOUT_S,
} from './sls-websocket.js';

export interface SlsConfigInput {
  /** The resolved profile: keys, JWT issuer, CORS settings, claimed features. */
  profile: Profile;
  /** The stage serverless deploys to (the routes carry none: --noPrependStageInUrl). */
  stage: string;
  probeUrl: string;
  /** Where the authorizer functions number their calls, shared by every instance. */
  callsDir: string;
  /**
   * The WebSocket functions' own directory, shared by every instance: their authorizer numbers its
   * calls in `calls/`, apart from the REST authorizers (the reference's WebSocket API has a function
   * of its own, so a suite's consecutive numbers stay consecutive), and `connections/` keeps each
   * connection's nonce.
   */
  websocketDir: string;
  /** URL of gateproof's compiled handler modules, which the generated handlers import. */
  modulesUrl: string;
  /** The node_modules folder holding serverless-offline. */
  pluginsDir: string;
  ports: { http: number; lambda: number; websocket: number };
}

export interface SlsService {
  /** serverless.yml */
  config: string;
  /** Handler modules by file name, relative to the service directory. */
  handlers: Record<string, string>;
}

type Authorization = 'token' | 'request' | 'jwt';

/**
 * The routes, with their methods as in the contract; each is a Lambda function that forwards to
 * the probe. The keyed route is private (API key required); the authorizer routes sit behind the
 * reference authorizer function, the JWT route (an HTTP API route) behind the built-in issuer.
 */
const ROUTES: Record<string, { methods: string[]; keyed?: true; auth?: Authorization }> = {
  open: { methods: ['GET', 'POST'] },
  keyed: { methods: ['GET'], keyed: true },
  authorizer: { methods: ['GET'], auth: 'token' },
  authorizerRequest: { methods: ['GET'], auth: 'request' },
  jwt: { methods: ['GET'], auth: 'jwt' },
};

const FEATURE_OF: Record<Authorization, Profile['features'][number]> = {
  token: 'authorizer',
  request: 'authorizer',
  jwt: 'jwt',
};

const TOKEN_AUTHORIZER = 'tokenAuthorizer';
const REQUEST_AUTHORIZER = 'requestAuthorizer';
const JWT_AUTHORIZER = 'gateproofJwt';

/**
 * serverless.yml and its handlers, written from a profile as a user would write them for AWS, so
 * that what serverless-offline does with them is what is measured. Everything is built as data
 * and serialised by the yaml library: no value from the profile can change the file's structure.
 */
export function renderSlsService(input: SlsConfigInput): SlsService {
  const { profile } = input;
  const claimed = (f: Profile['features'][number]) => profile.features.includes(f);
  const cors = claimed('cors') ? profile.cors : undefined;
  const jwt = claimed('jwt') ? profile.jwt : undefined;
  const functions: Record<string, unknown> = {};
  const handlers: Record<string, string> = {};
  const handler = handlerWriter(input, handlers);
  for (const [role, path] of Object.entries(profile.routes)) {
    const route = ROUTES[role];
    // Without its authorizer a route would be an open one: it is left out instead.
    if (!route || (route.auth && !claimed(FEATURE_OF[route.auth]))) continue;
    const options: LambdaProxyOptions = {
      probeUrl: input.probeUrl,
      path: `/${role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      ...(route.auth ? { authorizer: route.auth === 'jwt' ? 'jwt' : 'lambda' } : {}),
    };
    functions[role] = {
      handler: handler(`route-${role}`, 'lambda-proxy', 'lambdaProxy', options),
      events: route.methods.map((method) =>
        route.auth === 'jwt'
          ? { httpApi: { method, path, authorizer: { name: JWT_AUTHORIZER, scopes: jwt?.scopes ?? [] } } }
          : {
              http: {
                method: method.toLowerCase(),
                path,
                ...(route.keyed && claimed('apikey') ? { private: true } : {}),
                ...(route.auth ? { authorizer: lambdaAuthorizer(route.auth, profile) } : {}),
                ...(cors ? { cors: restCors(cors) } : {}),
              },
            },
      ),
    };
  }
  if (claimed('validation')) {
    const contract = loadContract();
    for (const path of VALIDATED_PATHS) {
      const options: LambdaProxyOptions = { probeUrl: input.probeUrl, path: '/validated' };
      functions[`route${path.replace(/\W(\w)/g, (_, c: string) => c.toUpperCase())}`] = {
        handler: handler(`route${path.replace('/', '-')}`, 'lambda-proxy', 'lambdaProxy', options),
        events: [{ http: { method: 'post', path, request: slsValidatedRequest(contract, path) } }],
      };
    }
  }
  if (claimed('authorizer')) {
    const authorizer = handler('reference-authorizer', 'lambda-authorizer', 'lambdaAuthorizer', {
      callsDir: input.callsDir,
    });
    functions[TOKEN_AUTHORIZER] = { handler: authorizer };
    functions[REQUEST_AUTHORIZER] = { handler: authorizer };
  }
  if (claimed('websocket')) Object.assign(functions, slsWebSocketFunctions(handler, input, true));
  const keys = profile.apiKeys;
  const provider = {
    ...(claimed('websocket') ? WEBSOCKET_PROVIDER : {}),
    ...(claimed('apikey') && keys
      ? {
          apiGateway: {
            apiKeys: [
              { name: 'valid', value: keys.valid },
              ...(keys.other ? [{ name: 'other', value: keys.other }] : []),
              // Created disabled, as on AWS: the key exists and must still be refused.
              ...(keys.disabled ? [{ name: 'disabled', value: keys.disabled, enabled: false }] : []),
            ],
          },
        }
      : {}),
    ...(cors || jwt
      ? {
          httpApi: {
            ...(cors ? { cors: httpApiCors(cors) } : {}),
            ...(jwt
              ? {
                  authorizers: {
                    [JWT_AUTHORIZER]: {
                      type: 'jwt',
                      identitySource: '$request.header.Authorization',
                      issuerUrl: jwt.issuer,
                      audience: [jwt.audience],
                    },
                  },
                }
              : {}),
          },
        }
      : {}),
  };
  // Without it serverless-offline configures no JWT authorizer at all; with it, it checks the
  // claims but, as its README says, not the signature. The suite shows what that lets in.
  return {
    config: serviceFile(input, provider, functions, jwt ? { ignoreJWTSignature: true } : {}),
    handlers,
  };
}

/**
 * A second WebSocket API, routes `$connect`, `$disconnect` and `echo` only, so that a message no
 * route matches has no `$default` to go to. serverless-offline serves one WebSocket API per
 * service, as the framework deploys one per service: this one is a service of its own.
 */
export function renderSlsNoDefaultService(input: SlsConfigInput): SlsService {
  const handlers: Record<string, string> = {};
  const functions = slsWebSocketFunctions(handlerWriter(input, handlers), input, false);
  return { config: serviceFile(input, WEBSOCKET_PROVIDER, functions, {}), handlers };
}

const WEBSOCKET_PROVIDER = { websocketsApiRouteSelectionExpression: '$request.body.action' };

/** Each handler module imports gateproof's own and calls it with its options. */
function handlerWriter(input: SlsConfigInput, handlers: Record<string, string>): HandlerWriter {
  return (name, module, exported, options) => {
    handlers[`${name}.mjs`] = `// Written by gateproof: forwards to gateproof's own ${module}.
import { ${exported} } from ${JSON.stringify(`${input.modulesUrl}/${module}.js`)};
export const handler = ${exported}(${JSON.stringify(options)});
`;
    return `${name}.handler`;
  };
}

function serviceFile(
  input: SlsConfigInput,
  provider: Record<string, unknown>,
  functions: Record<string, unknown>,
  offline: Record<string, unknown>,
): string {
  const service = {
    service: 'gateproof',
    frameworkVersion: '3',
    // A mistake in what gateproof writes is an error, never a warning scrolled past.
    configValidationMode: 'error',
    provider: {
      name: 'aws',
      runtime: 'nodejs20.x',
      stage: input.stage,
      region: 'us-east-1',
      ...provider,
    },
    functions,
    plugins: { localPath: input.pluginsDir, modules: ['serverless-offline'] },
    custom: {
      'serverless-offline': {
        host: '127.0.0.1',
        httpPort: input.ports.http,
        lambdaPort: input.ports.lambda,
        websocketPort: input.ports.websocket,
        webSocketIdleTimeout: WEBSOCKET_IDLE_TIMEOUT_S,
        webSocketHardTimeout: WEBSOCKET_HARD_TIMEOUT_S,
        noPrependStageInUrl: true,
        ...offline,
        noSponsor: true,
      },
    },
  };
  return `# Written by gateproof from the target profile.\n${stringify(service, { aliasDuplicateObjects: false })}`;
}

/** The probe contract's authorizers: TOKEN uncached, REQUEST cached by Authorization and the nonce. */
function lambdaAuthorizer(kind: 'token' | 'request', profile: Profile): Record<string, unknown> {
  return kind === 'token'
    ? {
        name: TOKEN_AUTHORIZER,
        type: 'token',
        identitySource: 'method.request.header.Authorization',
        identityValidationExpression: '^[A-Za-z0-9._-]+$',
        resultTtlInSeconds: 0,
      }
    : {
        name: REQUEST_AUTHORIZER,
        type: 'request',
        identitySource: 'method.request.header.Authorization, method.request.querystring.gpn',
        resultTtlInSeconds: profile.authorizer?.resultTtlSeconds ?? 0,
      };
}

type Cors = NonNullable<Profile['cors']>;

function restCors(cors: Cors): Record<string, unknown> {
  return {
    origins: cors.allowOrigins,
    ...(cors.allowHeaders.length ? { headers: cors.allowHeaders } : {}),
    ...(cors.allowMethods.length ? { methods: cors.allowMethods } : {}),
    allowCredentials: cors.allowCredentials,
    ...(cors.maxAge ? { maxAge: cors.maxAge } : {}),
  };
}

function httpApiCors(cors: Cors): Record<string, unknown> {
  return {
    allowedOrigins: cors.allowOrigins,
    ...(cors.allowHeaders.length ? { allowedHeaders: cors.allowHeaders } : {}),
    ...(cors.allowMethods.length ? { allowedMethods: cors.allowMethods } : {}),
    ...(cors.exposeHeaders.length ? { exposedResponseHeaders: cors.exposeHeaders } : {}),
    allowCredentials: cors.allowCredentials,
    ...(cors.maxAge !== undefined ? { maxAge: cors.maxAge } : {}),
  };
}
