/** POST /api/login: a name in, a signed session out (as JSON and as an HttpOnly cookie). */
import type { ChatConfig } from '#lib/config';
import type { ChatServices } from '#lib/services';
import { newUid, signSession } from '#chat/session-token';
import { sessionCookie } from '../authenticate';
import { clientAddress } from '../client-address';
import { rateLimited } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { bodyField, parseBody } from '../request';
import { json } from '../responses';
import { parseName } from '../validation';

export function login({
  sessionKey,
  loginAllowance,
  config,
}: Pick<ChatServices, 'sessionKey' | 'loginAllowance'> & {
  readonly config: Pick<ChatConfig, 'clientAddressHeader'>;
}): HttpHandler {
  return httpHandler('login', async (event) => {
    const name = parseName(bodyField(parseBody(event, 'invalid_name'), 'name', 'username'));
    // After the name is checked: a refused name takes nothing from the allowance.
    const allowance = await loginAllowance.take(clientAddress(event, config.clientAddressHeader));
    if (!allowance.allowed) throw rateLimited(Math.max(1, Math.ceil(allowance.retryAfterMs / 1000)), 'logins');
    const { token, session } = signSession(await sessionKey(), { uid: newUid(), name });
    return json(200, { token, ...session }, { cookies: [sessionCookie(event, token)] });
  });
}
