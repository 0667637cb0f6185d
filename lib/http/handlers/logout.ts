/** POST /api/logout: ends the session for good (the token is refused everywhere from then on) and clears the cookie. */
import type { ChatServices } from '#lib/services';
import { clearedSessionCookie, requireSession } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { noContent } from '../responses';

export function logout({
  sessionKey,
  revocations,
  revokeSession,
}: Pick<ChatServices, 'sessionKey' | 'revocations' | 'revokeSession'>): HttpHandler {
  return httpHandler('logout', async (event) => {
    const { token, expiresAt } = await requireSession(event, sessionKey, revocations);
    await revokeSession(token, Date.parse(expiresAt));
    return noContent({ cookies: [clearedSessionCookie(event)] });
  });
}
