/** Every /api request that matches no route: 405 with Allow on a known path, else 404. */
import { methodNotAllowed, notFound as noSuchRoute } from '../errors';
import { httpHandler, type HttpHandler } from '../handler';
import { allowedMethods } from '../routes';

export const notFound = (): HttpHandler =>
  httpHandler('not-found', async (event) => {
    const allow = allowedMethods(event.rawPath);
    throw allow.length > 0 ? methodNotAllowed(allow) : noSuchRoute();
  });
