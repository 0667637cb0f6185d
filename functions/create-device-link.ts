/** Lambda: POST /api/session/link. It needs the session key, the logged-out sessions and the table; a missing setting stops the cold start. */
import { loadConfig } from '#lib/config';
import { createDeviceLinkServices } from '#lib/services';
import { createDeviceLink } from '#http/handlers/create-device-link';

export const handler = createDeviceLink(createDeviceLinkServices(loadConfig()));
