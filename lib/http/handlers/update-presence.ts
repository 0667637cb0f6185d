/** POST /api/rooms/{room}/presence: the session's user is here, typing, not typing, or gone. */
import type { ChatServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { rateLimited } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { parseJsonBody } from '../request';
import { noContent } from '../responses';
import { parsePresence, parseRoom } from '../validation';

export function updatePresence({
  sessionKey,
  revocations,
  presenceAllowance,
  presence,
}: Pick<ChatServices, 'sessionKey' | 'revocations' | 'presenceAllowance' | 'presence'>): HttpHandler {
  return httpHandler('update-presence', async (event) => {
    const session = await requireSession(event, sessionKey, revocations);
    const room = parseRoom(event.pathParameters?.room);
    const change = parsePresence(parseJsonBody(event));

    const allowance = await presenceAllowance.take(session.uid);
    if (!allowance.allowed) {
      throw rateLimited(allowance.retryAfterMs, 'presence calls');
    }
    await presence.change(room, { uid: session.uid, name: session.name }, change);
    return noContent();
  });
}
