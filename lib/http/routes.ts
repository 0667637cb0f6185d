/**
 * The routes of the HTTP API, in one table that the local server and the CDK stack both
 * read, so that the two cannot disagree. Anything else under /api goes to `not-found`,
 * which answers 404, or 405 with Allow when the path is known.
 */

export type FunctionName =
  | 'login'
  | 'logout'
  | 'get-session'
  | 'create-device-link'
  | 'health'
  | 'read-messages'
  | 'send-message'
  | 'update-presence'
  | 'change-message'
  | 'not-found';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** In API Gateway's syntax: `{name}` matches one path segment. */
  readonly path: string;
  readonly function: FunctionName;
  /** Whether the route needs a session (documentation and the stack's authorizer choice). */
  readonly public: boolean;
}

export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/api/login', function: 'login', public: true },
  { method: 'POST', path: '/api/logout', function: 'logout', public: false },
  { method: 'GET', path: '/api/session', function: 'get-session', public: false },
  { method: 'POST', path: '/api/session/link', function: 'create-device-link', public: false },
  { method: 'GET', path: '/api/health', function: 'health', public: true },
  { method: 'GET', path: '/api/rooms/{room}/messages', function: 'read-messages', public: false },
  { method: 'POST', path: '/api/rooms/{room}/messages', function: 'send-message', public: false },
  { method: 'POST', path: '/api/rooms/{room}/presence', function: 'update-presence', public: false },
  { method: 'PATCH', path: '/api/rooms/{room}/messages/{id}', function: 'change-message', public: false },
  { method: 'DELETE', path: '/api/rooms/{room}/messages/{id}', function: 'change-message', public: false },
  {
    method: 'PUT',
    path: '/api/rooms/{room}/messages/{id}/reactions/{emoji}',
    function: 'change-message',
    public: false,
  },
  {
    method: 'DELETE',
    path: '/api/rooms/{room}/messages/{id}/reactions/{emoji}',
    function: 'change-message',
    public: false,
  },
];

export const routeKey = (route: Route): string => `${route.method} ${route.path}`;

/** Path parameters if `path` fits the template, else undefined. Parameters are URL-decoded. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const segment = got[i]!;
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (part !== segment) return undefined;
    } else {
      if (segment === '') return undefined;
      try {
        params[name] = decodeURIComponent(segment);
      } catch {
        params[name] = segment;
      }
    }
  }
  return params;
}

/** The methods that the routes accept on a path; empty when no route has that path. */
export function allowedMethods(path: string): string[] {
  return ROUTES.filter((r) => matchPath(r.path, path) !== undefined).map((r) => r.method);
}
