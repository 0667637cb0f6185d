/** Lambda: POST /api/login. It needs the session key and the login allowance (in the table); a missing setting stops the cold start. */
import { loadConfig } from '#lib/config';
import { createLoginServices } from '#lib/services';
import { login } from '#http/handlers/login';

export const handler = login(createLoginServices(loadConfig()));
