/** Lambda: GET /api/rooms/{room}/messages. The services are built at the cold start, so a missing setting stops it. */
import { loadConfig } from '#lib/config';
import { createReadServices } from '#lib/services';
import { readMessages } from '#http/handlers/read-messages';

export const handler = readMessages(createReadServices(loadConfig()));
