/** Lambda: POST /api/rooms/{room}/presence. The services are built at the cold start, so a missing setting stops it. */
import { loadConfig } from '#lib/config';
import { createPresenceServices } from '#lib/services';
import { updatePresence } from '#http/handlers/update-presence';

export const handler = updatePresence(createPresenceServices(loadConfig()));
