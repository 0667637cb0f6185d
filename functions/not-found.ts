/** Every /api request that matches no route: 405 with Allow on a known path, else 404. */
import { methodNotAllowed, notFound } from './shared/errors';
import { httpHandler } from './shared/http';
import { allowedMethods } from './shared/routes';

export const handler = httpHandler('not-found', async (event) => {
  const allow = allowedMethods(event.rawPath);
  throw allow.length > 0 ? methodNotAllowed(allow) : notFound();
});
