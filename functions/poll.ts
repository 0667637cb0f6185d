/** GET /api/rooms/{room}/messages: a page of messages after a cursor, before an id, or the newest. */
import { config } from './shared/config';
import { header, httpHandler, json, queryParams, xml } from './shared/http';
import { readMessages } from './shared/message-log';
import { pageBody, pageXml } from './shared/representation';
import { requireSession } from './shared/sessions';
import { parseFormat, parseReadRequest, parseRoom } from './shared/validation';

export const handler = httpHandler('poll', async (event) => {
  await requireSession(event);
  const room = parseRoom(event.pathParameters?.room);
  const query = queryParams(event);
  const request = parseReadRequest(query);
  const format = parseFormat(query.format, header(event, 'accept'));

  const page = await readMessages(room, request);
  // A page with news means a conversation is going on; ask again at once when more is waiting.
  const { active, quiet } = config().pollAfterMs;
  const pollAfterMs = page.hasMore ? 0 : page.messages.length > 0 ? active : quiet;
  return format === 'xml' ? xml(200, pageXml(page, pollAfterMs)) : json(200, pageBody(page, pollAfterMs));
});
