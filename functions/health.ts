/** Lambda: GET /api/health. It needs no configuration at all. */
import { health } from '#http/handlers/health';

export const handler = health();
