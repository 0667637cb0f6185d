/** POST /api/rooms/{room}/messages: send a message as the session's user. */
import type { ChatServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { rateLimited } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { toApiMessage } from '../representation';
import { parseBody } from '../request';
import { json } from '../responses';
import { log } from '#aws/log';
import { parseClientId, parseRoom, parseText } from '../validation';

export function sendMessage({
  sessionKey,
  revocations,
  sendAllowance,
  messageLog,
  presence,
}: Pick<ChatServices, 'sessionKey' | 'revocations' | 'sendAllowance' | 'messageLog' | 'presence'>): HttpHandler {
  return httpHandler('send-message', async (event) => {
    const session = await requireSession(event, sessionKey, revocations);
    const room = parseRoom(event.pathParameters?.room);
    const body = parseBody(event);
    const text = parseText(body.text ?? body.message);
    const clientId = parseClientId(body.clientId);

    const allowance = await sendAllowance.take(session.uid);
    if (!allowance.allowed) throw rateLimited(Math.max(1, Math.ceil(allowance.retryAfterMs / 1000)));

    // A message makes its sender present and ends their typing: recorded just before it is
    // stored, so that a poll woken by the message sees both. Presence is not the message: a
    // failure here is logged and the send goes on.
    await presence.change(room, session, 'sent').catch((error: unknown) => logPresenceFailure(error));
    const { message, created } = await messageLog.appendMessage({
      room,
      user: session.name,
      uid: session.uid,
      text,
      clientId,
    });
    return json(created ? 201 : 200, toApiMessage(message));
  });
}

function logPresenceFailure(error: unknown): void {
  log.warn('presence after a send failed', { error: error instanceof Error ? error.message : String(error) });
}
