/** Lambda: GET /api/session. It needs the session key and the logged-out sessions; a missing setting stops the cold start. */
import { loadConfig } from '#lib/config';
import { createSessionServices } from '#lib/services';
import { getSession } from '#http/handlers/get-session';

export const handler = getSession(createSessionServices(loadConfig()));
