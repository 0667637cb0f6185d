/** Lambda: every other /api request (the HTTP API's $default route). It needs no configuration. */
import { notFound } from '#http/handlers/not-found';

export const handler = notFound();
