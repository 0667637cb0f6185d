/** GET /api/session: who the caller's session says they are. */
import type { ChatServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { json } from '../responses';

export function getSession({ sessionKey, revocations }: Pick<ChatServices, 'sessionKey' | 'revocations'>): HttpHandler {
  return httpHandler('get-session', async (event) => {
    const { name, uid, expiresAt } = await requireSession(event, sessionKey, revocations);
    return json(200, { name, uid, expiresAt });
  });
}
