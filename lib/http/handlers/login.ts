/** POST /api/login: a name in, a signed session out (as JSON and as an HttpOnly cookie). */
import type { ChatConfig } from '#lib/config';
import type { ChatServices } from '#lib/services';
import type { DeviceLinks } from '#chat/device-links';
import { newUid, signSession } from '#chat/session-token';
import { sessionCookie } from '../authenticate';
import { clientAddress } from '../client-address';
import { rateLimited, unauthorized } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { bodyField, parseBody } from '../request';
import { json } from '../responses';
import { parseLinkCode, parseName } from '../validation';

export function login({
  sessionKey,
  loginAllowance,
  deviceLinks,
  config,
}: Pick<ChatServices, 'sessionKey' | 'loginAllowance'> & {
  readonly deviceLinks: Pick<DeviceLinks, 'redeem'>;
  readonly config: Pick<ChatConfig, 'clientAddressHeader'>;
}): HttpHandler {
  return httpHandler('login', async (event) => {
    const body = parseBody(event, 'invalid_name');
    const linkCode = bodyField(body, 'link');
    // A name for a new person, or a one-time link from another device for the same person.
    const asked: { readonly name: string } | { readonly link: string } =
      linkCode === undefined
        ? { name: parseName(bodyField(body, 'name', 'username')) }
        : { link: parseLinkCode(linkCode, bodyField(body, 'name', 'username')) };
    // After the body is checked: a refused body takes nothing from the allowance.
    const allowance = await loginAllowance.take(clientAddress(event, config.clientAddressHeader));
    if (!allowance.allowed) throw rateLimited(allowance.retryAfterMs, 'logins');
    let user: { uid: string; name: string };
    if ('link' in asked) {
      const linked = await deviceLinks.redeem(asked.link);
      if (!linked) throw unauthorized('this device link is unknown, used or expired: make a new one');
      user = linked;
    } else {
      user = { uid: newUid(), name: asked.name };
    }
    const { token, session } = signSession(await sessionKey(), user);
    return json(200, { token, ...session }, { cookies: [sessionCookie(event, token)] });
  });
}
