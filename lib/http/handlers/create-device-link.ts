/** POST /api/session/link: a one-time code that logs another device in as the caller (same uid and name). */
import type { ChatServices } from '#lib/services';
import type { DeviceLinks } from '#chat/device-links';
import { requireSession } from '../authenticate';
import { httpHandler, type HttpHandler } from '../handler';
import { json } from '../responses';

export function createDeviceLink({
  sessionKey,
  revocations,
  deviceLinks,
}: Pick<ChatServices, 'sessionKey' | 'revocations'> & {
  readonly deviceLinks: Pick<DeviceLinks, 'create'>;
}): HttpHandler {
  return httpHandler('create-device-link', async (event) => {
    const { uid, name } = await requireSession(event, sessionKey, revocations);
    return json(200, await deviceLinks.create({ uid, name }));
  });
}
