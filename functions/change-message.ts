/** Lambda: PATCH/DELETE /api/rooms/{room}/messages/{id} and PUT/DELETE its reactions. Built at the cold start. */
import { loadConfig } from '#lib/config';
import { createChangeServices } from '#lib/services';
import { changeMessage } from '#http/handlers/change-message';

export const handler = changeMessage(createChangeServices(loadConfig()));
