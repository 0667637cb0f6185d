/** POST /api/login: a name in, a signed session out (as JSON and as an HttpOnly cookie). */
import { httpHandler, json, parseBody } from './shared/http';
import { sessionKey } from './shared/session-key';
import { newUid, sessionCookie, signSession } from './shared/sessions';
import { parseName } from './shared/validation';

export const handler = httpHandler('login', async (event) => {
  const body = parseBody(event);
  const name = parseName(body.name ?? body.username);
  const { token, session } = signSession(await sessionKey(), { uid: newUid(), name });
  return json(200, { token, ...session }, { cookies: [sessionCookie(event, token)] });
});
