/** Lambda: POST /api/logout. It needs the session key and the logged-out sessions; a missing setting stops the cold start. */
import { loadConfig } from '#lib/config';
import { createLogoutServices } from '#lib/services';
import { logout } from '#http/handlers/logout';

export const handler = logout(createLogoutServices(loadConfig()));
