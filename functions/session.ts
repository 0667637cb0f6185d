/** GET /api/session: who the caller's session says they are. */
import { httpHandler, json } from './shared/http';
import { requireSession } from './shared/sessions';

export const handler = httpHandler('session', async (event) => {
  const { name, uid, expiresAt } = await requireSession(event);
  return json(200, { name, uid, expiresAt });
});
