/** GET /api/rooms/{room}/messages: a page of messages after a cursor, before an id, or the newest. */
import type { ReadServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { pageBody, pageXml } from '../representation';
import { header, queryParams } from '../request';
import { json, xml } from '../responses';
import { parseFormat, parseReadRequest, parseRoom } from '../validation';

export function readMessages({ sessionKey, messageLog, config }: ReadServices): HttpHandler {
  const { active, quiet } = config.pollAfterMs;
  return httpHandler('read-messages', async (event) => {
    await requireSession(event, sessionKey);
    const room = parseRoom(event.pathParameters?.room);
    const query = queryParams(event);
    const request = parseReadRequest(query);
    const format = parseFormat(query.format, header(event, 'accept'));

    const page = await messageLog.readMessages(room, request);
    // A page with news means a conversation is going on; ask again at once when more is waiting.
    const pollAfterMs = page.hasMore ? 0 : page.messages.length > 0 ? active : quiet;
    return format === 'xml' ? xml(200, pageXml(page, pollAfterMs)) : json(200, pageBody(page, pollAfterMs));
  });
}
