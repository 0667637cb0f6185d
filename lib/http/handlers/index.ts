/** Every handler of the API by its function name, over one set of services (the local server, the tests). */
import type { ChatServices } from '#lib/services';
import type { HttpHandler } from '../handler';
import type { FunctionName } from '../routes';
import { changeMessage } from './change-message';
import { createDeviceLink } from './create-device-link';
import { getSession } from './get-session';
import { health } from './health';
import { login } from './login';
import { logout } from './logout';
import { notFound } from './not-found';
import { readMessages } from './read-messages';
import { sendMessage } from './send-message';
import { updatePresence } from './update-presence';

export type Handlers = Readonly<Record<FunctionName, HttpHandler>>;

export function createHandlers(services: ChatServices): Handlers {
  return {
    login: login(services),
    logout: logout(services),
    'get-session': getSession(services),
    'create-device-link': createDeviceLink(services),
    health: health(),
    'not-found': notFound(),
    'read-messages': readMessages(services),
    'send-message': sendMessage(services),
    'update-presence': updatePresence(services),
    'change-message': changeMessage(services),
  };
}
