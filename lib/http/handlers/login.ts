/** POST /api/login: a name in, a signed session out (as JSON and as an HttpOnly cookie). */
import type { ChatServices } from '#lib/services';
import { newUid, signSession } from '#chat/session-token';
import { sessionCookie } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { bodyField, parseBody } from '../request';
import { json } from '../responses';
import { parseName } from '../validation';

export function login({ sessionKey }: Pick<ChatServices, 'sessionKey'>): HttpHandler {
  return httpHandler('login', async (event) => {
    const name = parseName(bodyField(parseBody(event, 'invalid_name'), 'name', 'username'));
    const { token, session } = signSession(await sessionKey(), { uid: newUid(), name });
    return json(200, { token, ...session }, { cookies: [sessionCookie(event, token)] });
  });
}
