import type { Reply } from './pipeline.js';

interface GatewayResponseDefinition {
  status: number;
  /** The `x-amzn-ErrorType` header; absent where API Gateway sends none. */
  errorType?: string;
  /** The default `message`: `$context.error.messageString` of the default template. */
  message: string | null;
}

/**
 * API Gateway's gateway responses (REST), keyed by their AWS type names, with the default status,
 * error type and message each has before an API customises it.
 */
export const GATEWAY_RESPONSES = {
  MISSING_AUTHENTICATION_TOKEN: {
    status: 403,
    errorType: 'MissingAuthenticationTokenException',
    message: 'Missing Authentication Token',
  },
  INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException', message: 'Forbidden' },
  ACCESS_DENIED: {
    status: 403,
    errorType: 'AccessDeniedException',
    message: 'User is not authorized to access this resource',
  },
  INVALID_SIGNATURE: {
    status: 403,
    errorType: 'InvalidSignatureException',
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  },
  /** Not a type of its own in AWS (it answers under DEFAULT_4XX), but with its own error type. */
  INCOMPLETE_SIGNATURE: {
    status: 403,
    errorType: 'IncompleteSignatureException',
    message: "Authorization header requires 'Credential' parameter.",
  },
  /** An unknown access key or a wrong session token; DEFAULT_4XX in AWS, with its own error type. */
  UNRECOGNIZED_CLIENT: {
    status: 403,
    errorType: 'UnrecognizedClientException',
    message: 'The security token included in the request is invalid.',
  },
  EXPIRED_TOKEN: {
    status: 403,
    errorType: 'ExpiredTokenException',
    message: 'The security token included in the request is expired',
  },
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException', message: 'Unauthorized' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException', message: 'Too Many Requests' },
  QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException', message: 'Limit Exceeded' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException', message: 'Invalid request body' },
  BAD_REQUEST_PARAMETERS: {
    status: 400,
    errorType: 'BadRequestException',
    message: 'Bad request parameters',
  },
  REQUEST_TOO_LARGE: { status: 413, message: 'Request Too Long' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'NotFoundException', message: 'Not Found' },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    errorType: 'UnsupportedMediaTypeException',
    message: 'Unsupported Media Type',
  },
  AUTHORIZER_CONFIGURATION_ERROR: {
    status: 500,
    errorType: 'AuthorizerConfigurationException',
    message: null,
  },
  API_CONFIGURATION_ERROR: {
    status: 500,
    errorType: 'InternalServerErrorException',
    message: 'Internal server error',
  },
  INTEGRATION_FAILURE: {
    status: 504,
    errorType: 'InternalServerErrorException',
    message: 'Internal server error',
  },
  INTEGRATION_TIMEOUT: { status: 504, message: 'Endpoint request timed out' },
} as const satisfies Record<string, GatewayResponseDefinition>;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

export interface GatewayResponseOverrides {
  /** A situation-specific message (a SigV4 mismatch, an explicit deny). */
  message?: string | null;
  /** A whole body, for responses whose key is not `message` (`{"Message": ...}` on an explicit deny). */
  body?: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** A reply made by the gateway itself, never by the integration. */
export function gatewayResponse(type: GatewayResponseType, overrides: GatewayResponseOverrides = {}): Reply {
  const definition: GatewayResponseDefinition = GATEWAY_RESPONSES[type];
  const body = overrides.body ?? {
    message: overrides.message === undefined ? definition.message : overrides.message,
  };
  const headers: Record<string, string> = { 'content-type': 'application/json', ...overrides.headers };
  if (definition.errorType) headers['x-amzn-ErrorType'] = definition.errorType;
  const message = overrides.message === undefined ? definition.message : overrides.message;
  return {
    status: definition.status,
    headers,
    body: JSON.stringify(body),
    gatewayResponse: type,
    errorMessage: message,
  };
}
