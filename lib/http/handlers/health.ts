/** GET /api/health: the API answers. It touches nothing, so a health probe costs nothing. */
import { httpHandler, type HttpHandler } from '../handler';
import { json } from '../responses';

export const health = (): HttpHandler => httpHandler('health', async () => json(200, { ok: true }));
