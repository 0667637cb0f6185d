/** GET /api/rooms/{room}/messages: a page of messages after a cursor, before an id, or the newest. */
import type { ReadServices } from '#lib/services';
import { requireSession } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { pageBody, pageXml } from '../representation';
import { header, queryParams } from '../request';
import { json, xml } from '../responses';
import { parseFormat, parseReadRequest, parseRoom, parseWait } from '../validation';

export function readMessages({ sessionKey, revocations, messageLog, longPoll, config }: ReadServices): HttpHandler {
  const { active, quiet } = config.pollAfterMs;
  return httpHandler('read-messages', async (event) => {
    await requireSession(event, sessionKey, revocations);
    const room = parseRoom(event.pathParameters?.room);
    const query = queryParams(event);
    const request = parseReadRequest(query);
    const wait = parseWait(query, request);
    const format = parseFormat(query.format, header(event, 'accept'));

    // This deployment may hold for less than asked, or not at all.
    const waitSeconds = Math.min(wait.seconds, config.wait.maxSeconds);
    const page =
      request.kind === 'after' && waitSeconds > 0
        ? await longPoll.poll({
            room,
            after: request.after,
            limit: request.limit,
            waitMs: waitSeconds * 1000,
            state: wait.state,
          })
        : await messageLog.readMessages(room, request);
    // After a held poll, ask again at once: the next one is held too. Otherwise news means a
    // conversation is going on; and ask again at once when more is waiting.
    const pollAfterMs = waitSeconds > 0 || page.hasMore ? 0 : page.messages.length > 0 ? active : quiet;
    return format === 'xml' ? xml(200, pageXml(page, pollAfterMs)) : json(200, pageBody(page, pollAfterMs));
  });
}
