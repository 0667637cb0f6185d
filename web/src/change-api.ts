/**
 * The changes to a message (API v2): edit and delete one's own, react to anyone's. Each answers
 * with the message as it now reads; errors come as the ErrorAnswer of every other call.
 */
import { bodyOf, request, roomPath } from './api';
import type { Message } from './types';

const messagePath = (room: string, id: number) => `${roomPath(room)}/${id}`;
/** The emoji travels percent-encoded in the path, as one segment. */
const reactionPath = (room: string, id: number, emoji: string) =>
  `${messagePath(room, id)}/reactions/${encodeURIComponent(emoji)}`;

export async function editMessage(room: string, id: number, text: string): Promise<Message> {
  return bodyOf(await request<Message>('PATCH', messagePath(room, id), { text }));
}

export async function deleteMessage(room: string, id: number): Promise<Message> {
  return bodyOf(await request<Message>('DELETE', messagePath(room, id)));
}

/** Adds (`on`) or takes back this session's reaction with `emoji`. */
export async function setReaction(room: string, id: number, emoji: string, on: boolean): Promise<Message> {
  return bodyOf(await request<Message>(on ? 'PUT' : 'DELETE', reactionPath(room, id, emoji)));
}
