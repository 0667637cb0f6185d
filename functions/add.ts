/** POST /api/rooms/{room}/messages: send a message as the session's user. */
import { config } from './shared/config';
import { rateLimited } from './shared/errors';
import { httpHandler, json, parseBody } from './shared/http';
import { appendMessage } from './shared/message-log';
import { takeSendAllowance } from './shared/rate-limit';
import { toApiMessage } from './shared/representation';
import { requireSession } from './shared/sessions';
import { parseClientId, parseRoom, parseText } from './shared/validation';

export const handler = httpHandler('add', async (event) => {
  const session = await requireSession(event);
  const room = parseRoom(event.pathParameters?.room);
  const body = parseBody(event);
  const text = parseText(body.text ?? body.message);
  const clientId = parseClientId(body.clientId);

  const allowance = await takeSendAllowance(session.uid, config().sendLimit);
  if (!allowance.allowed) throw rateLimited(Math.max(1, Math.ceil(allowance.retryAfterMs / 1000)));

  const { message, created } = await appendMessage({ room, user: session.name, uid: session.uid, text, clientId });
  return json(created ? 201 : 200, toApiMessage(message));
});
