/** The connection indicator: connected, reconnecting (polls failing), or offline (no network). */
import { byId } from './dom';
import { t } from './i18n';

export type ConnectionState = 'connected' | 'reconnecting' | 'offline';

let state: ConnectionState = 'connected';

export function connectionState(failures: number, online: boolean): ConnectionState {
  if (!online) return 'offline';
  return failures === 0 ? 'connected' : 'reconnecting';
}

export function showConnection(next: ConnectionState = state): void {
  state = next;
  const indicator = byId('connection');
  indicator.dataset.state = state;
  byId('connection-text').textContent = t(state);
}
