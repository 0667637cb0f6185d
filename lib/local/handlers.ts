/** Every Lambda handler by its function name, for the local server. Import after configuring the environment. */
import { handler as add } from '../../functions/add';
import { handler as health } from '../../functions/health';
import { handler as login } from '../../functions/login';
import { handler as notFound } from '../../functions/not-found';
import { handler as poll } from '../../functions/poll';
import { handler as session } from '../../functions/session';
import type { Handlers } from './http-adapter';

export const handlers: Handlers = { add, health, login, 'not-found': notFound, poll, session };
