/** Lambda: POST /api/rooms/{room}/messages. The services are built at the cold start, so a missing setting stops it. */
import { loadConfig } from '#lib/config';
import { createSendServices } from '#lib/services';
import { sendMessage } from '#http/handlers/send-message';

export const handler = sendMessage(createSendServices(loadConfig()));
