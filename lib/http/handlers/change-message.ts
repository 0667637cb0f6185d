/**
 * PATCH and DELETE /api/rooms/{room}/messages/{id}: edit or delete one's own message;
 * PUT and DELETE /api/rooms/{room}/messages/{id}/reactions/{emoji}: add or take back one's reaction.
 * Each answers 200 with the message as it now reads.
 */
import type { Change } from '#chat/message-log';
import type { ChatServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { changeRefused, rateLimited } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { toApiMessage } from '../representation';
import { bodyField, parseBody, type HttpEvent } from '../request';
import { json } from '../responses';
import { parseEmoji, parseMessageId, parseRoom, parseText } from '../validation';

export function changeMessage({
  sessionKey,
  revocations,
  sendAllowance,
  messageLog,
}: Pick<ChatServices, 'sessionKey' | 'revocations' | 'sendAllowance' | 'messageLog'>): HttpHandler {
  return httpHandler('change-message', async (event) => {
    const session = await requireSession(event, sessionKey, revocations);
    const room = parseRoom(event.pathParameters?.room);
    const id = parseMessageId(event.pathParameters?.id);
    const change = parseChange(event);

    // A change counts against the send allowance; one refused or that alters nothing does not.
    const withinLimit = async () => {
      const allowance = await sendAllowance.take(session.uid);
      if (!allowance.allowed) throw rateLimited(allowance.retryAfterMs, 'messages and changes');
    };
    const result = await messageLog.changeMessage(
      { room, id, user: session.name, uid: session.uid, change },
      withinLimit,
    );
    if (result.kind === 'refused') throw changeRefused(result.reason);
    return json(200, toApiMessage(result.message));
  });
}

/** What the method and path ask for: an edit (with the text of the body), a delete, or a reaction. */
function parseChange(event: HttpEvent): Change {
  const method = event.requestContext.http.method;
  const emoji = event.pathParameters?.emoji;
  if (emoji !== undefined) return { kind: 'react', emoji: parseEmoji(emoji), on: method === 'PUT' };
  if (method === 'DELETE') return { kind: 'delete' };
  return { kind: 'edit', text: parseText(bodyField(parseBody(event, 'invalid_text'), 'text', 'message')) };
}
