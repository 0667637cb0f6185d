/** POST /api/rooms/{room}/messages: send a message as the session's user. */
import type { ChatServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { rateLimited } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { toApiMessage } from '../representation';
import { bodyField, parseBody } from '../request';
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
    const body = parseBody(event, 'invalid_text');
    const text = parseText(bodyField(body, 'text', 'message'));
    const clientId = parseClientId(bodyField(body, 'clientId'));

    // The send limit admits new messages only: a repeated clientId answers its first copy over the limit too.
    const withinLimit = async () => {
      const allowance = await sendAllowance.take(session.uid);
      if (!allowance.allowed) throw rateLimited(allowance.retryAfterMs);
      // A new message makes its sender present and ends their typing: recorded just before it
      // is stored, so that a poll woken by the message sees both. Presence is not the message:
      // a failure here is logged and the send goes on.
      await presence.change(room, session, 'sent').catch((error: unknown) => logPresenceFailure(error));
    };
    const { message, created } = await messageLog.appendMessage(
      { room, user: session.name, uid: session.uid, text, clientId },
      withinLimit,
    );
    return json(created ? 201 : 200, toApiMessage(message));
  });
}

function logPresenceFailure(error: unknown): void {
  log.warn('presence after a send failed', { error: error instanceof Error ? error.message : String(error) });
}
