/**
 * The API Gateway HTTP API (payload 2.0) event of an HTTP request, built as API Gateway builds
 * it, and the route it picks: the local server and the tests hand the same events to the
 * handlers as Lambda would.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ROUTES, matchPath, routeKey, type FunctionName } from '#http/routes';

const TEXT_BODY = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

/** What API Gateway knows of a request when it builds the event. */
export interface GatewayRequest {
  readonly method: string;
  readonly url: URL;
  /** Header names and values as they arrived, in order (a name may repeat). */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

export interface RoutedRequest {
  readonly function: FunctionName;
  readonly routeKey: string;
  readonly pathParameters: Record<string, string> | undefined;
}

/** The route API Gateway picks for a request: one of ROUTES, else `$default` (not-found). */
export function routeRequest(method: string, path: string): RoutedRequest {
  for (const route of ROUTES) {
    const pathParameters = route.method === method ? matchPath(route.path, path) : undefined;
    if (pathParameters) return { function: route.function, routeKey: routeKey(route), pathParameters };
  }
  return { function: 'not-found', routeKey: '$default', pathParameters: undefined };
}

/**
 * The payload 2.0 event API Gateway builds: lower-case headers joined by commas, cookies
 * apart, repeated query parameters joined by commas, text bodies as text and anything else
 * (or text that is not valid UTF-8) base64-encoded, so the handler sees the bytes sent.
 */
export function gatewayEvent(request: GatewayRequest, routed: RoutedRequest): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of request.headers) {
    const name = rawName.toLowerCase();
    if (name === 'cookie')
      cookies.push(
        ...value
          .split(';')
          .map((c) => c.trim())
          .filter(Boolean),
      );
    else headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  headers['x-forwarded-proto'] ??= 'http';
  headers['x-forwarded-for'] ??= request.sourceIp;

  const query: Record<string, string> = {};
  for (const [key, value] of request.url.searchParams)
    query[key] = query[key] === undefined ? value : `${query[key]},${value}`;

  const { body, url, method } = request;
  const now = new Date();
  const isText = TEXT_BODY.test(headers['content-type'] ?? '') && isUtf8(body);
  const host = headers.host ?? 'localhost';

  return {
    version: '2.0',
    routeKey: routed.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(routed.pathParameters && Object.keys(routed.pathParameters).length
      ? { pathParameters: routed.pathParameters }
      : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0]!,
      http: {
        method,
        path: url.pathname,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routed.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
