/** GET /api/health: the API answers. It touches nothing, so a health probe costs nothing. */
import { httpHandler, json } from './shared/http';

export const handler = httpHandler('health', async () => json(200, { ok: true }));
