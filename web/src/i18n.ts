/**
 * Every string the page shows, in English and Chinese. The language comes from the browser
 * unless the reader chose one; static text in index.html is marked with data-i18n attributes.
 */

const en = {
  appTitle: 'Chat',
  loginHeading: 'Join the chat',
  loginIntro: 'Pick a name to chat with, in any language.',
  nameLabel: 'Your name',
  loginButton: 'Enter',
  loggingIn: 'Entering…',
  nameEmpty: 'Please type a name.',
  nameTooLong: 'A name can have at most {max} characters.',
  nameControl: 'A name cannot contain control characters.',
  nameNotText: 'A name must be plain text (this one has a broken character).',
  loginFailed: 'Could not log in. Please try again.',
  loginTooOften: 'Too many logins from here. Please wait a minute and try again.',
  linkFailed: 'This device link has been used or has expired. Make a new one on your other device, or pick a name.',
  loginOffline: 'Could not reach the chat. Check your connection and try again.',
  sessionEnded: 'Your session has ended. Please log in again.',
  language: 'Language',
  otherLanguage: '中文',
  roomLabel: 'Room',
  joinButton: 'Join',
  roomInvalid: 'A room name has 1 to 64 letters, digits, _ or -.',
  roomHeading: '#{room}',
  newPrivateRoom: 'New private room',
  invite: 'Invite',
  anotherDevice: 'Use on another device',
  deviceText:
    'Open this link on your other device to be you there too. It works once, for 10 minutes; keep it to yourself:',
  deviceLinkFailed: 'Could not make a link. Try again.',
  inviteText: 'Anyone with this link can read and write in this room:',
  inviteLink: 'Invite link',
  copy: 'Copy',
  copied: 'Copied',
  copyFailed: 'Select the link and copy it.',
  signedInAs: 'Signed in as',
  logOut: 'Log out',
  messagesLabel: 'Messages',
  loadOlder: 'Load older messages',
  loadingOlder: 'Loading…',
  roomStart: 'This is the start of the room.',
  emptyRoom: 'No messages yet. Say hello!',
  messageLabel: 'Message',
  messagePlaceholder: 'Write a message…',
  composerHint: 'Enter to send · Shift+Enter for a new line',
  send: 'Send',
  sending: 'Sending…',
  notSent: 'Not sent.',
  retry: 'Retry',
  discard: 'Discard',
  slowDown: 'Slow down: you can send again in {s} s.',
  sendOffline: 'No connection.',
  sendBusy: 'The chat is busy; try again in a moment.',
  textRejected: 'The chat does not accept this text (it may contain control characters).',
  charsLeft: 'Characters left: {n}',
  charsOver: 'Over the limit by {n}',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  newMessagesOne: '1 new message',
  newMessagesMany: '{n} new messages',
  announceOne: '{name}: {text}',
  announceEdited: '{name} edited a message: {text}',
  announceDeleted: '{name} deleted a message.',
  announceChanges: '{n} messages were changed.',
  userTag: 'user {tag}',
  you: 'you',
  peopleHeading: 'Here now',
  peopleHere: '{n} here now',
  peopleMore: 'and {n} more',
  typingMark: 'typing…',
  typingOne: '{name} is typing…',
  typingTwo: '{a} and {b} are typing…',
  typingMany: '{n} people are typing…',
  shareTyping: 'Let others see when I am typing',
  today: 'Today',
  yesterday: 'Yesterday',
  showMore: 'Show more',
  showLess: 'Show less',
  roomsHeading: 'Your rooms',
  roomsToggle: 'Your rooms',
  roomsToggleUnread: 'Your rooms, {n} unread',
  closeRooms: 'Close the list of rooms',
  joinRoomLabel: 'Join a room',
  roomNamePlaceholder: 'Room name',
  leaveRoom: 'Leave #{room}',
  notifyAllRoom: 'Notify me of every message in #{room}',
  roomUnread: '{n} unread',
  roomMentioned: 'mentions you',
  mentionsYou: 'mentions you',
  newMessagesLine: 'New messages',
  notifyLabel: 'Desktop notifications of mentions',
  notifyBlocked: 'Notifications are blocked for this site in the browser settings.',
  notifyUnsupported: 'This browser cannot show notifications.',
  notifyMention: '{name} mentioned you in #{room}',
  notifyMessage: '{name} in #{room}',
  notifyManyTitle: '#{room}',
  notifyMany: '{n} new messages',
  notifyManyMentions: '{n} new messages, {m} mentioning you',
  // Changing messages: edit, delete, react.
  messageActions: 'Message actions',
  reactWith: 'React with {emoji}',
  reactionsLabel: 'Reactions',
  reactionCount: '{n} reacted with {emoji}',
  editMessage: 'Edit',
  deleteMessage: 'Delete',
  edited: '(edited)',
  editedAt: 'Edited {time}',
  messageDeleted: 'Message deleted',
  editLabel: 'Edit message',
  editHint: 'Enter to save · Shift+Enter for a new line · Esc to cancel',
  save: 'Save',
  saving: 'Saving…',
  cancel: 'Cancel',
  editEmpty: 'A message cannot be empty; to take it back, delete it.',
  deleteHeading: 'Delete this message?',
  deleteText: 'Everyone will see “Message deleted” in its place. This cannot be undone.',
  changeForbidden: 'Only its author can change this message.',
  changeGone: 'This message is no longer in the room.',
  changeDeleted: 'This message has been deleted.',
  reactionLimit: 'This message has as many different reactions as it can take.',
  changeWait: 'Too many changes at once: trying again in {s} s.',
  changeFailed: 'Could not change the message. Check your connection and try again.',
} as const;

export type StringKey = keyof typeof en;

const zh: Record<StringKey, string> = {
  appTitle: '聊天',
  loginHeading: '加入聊天',
  loginIntro: '取一个名字开始聊天，任何语言都可以。',
  nameLabel: '你的名字',
  loginButton: '进入',
  loggingIn: '正在进入…',
  nameEmpty: '请输入名字。',
  nameTooLong: '名字最多 {max} 个字符。',
  nameControl: '名字不能包含控制字符。',
  nameNotText: '名字必须是普通文本（其中有损坏的字符）。',
  loginFailed: '登录失败，请重试。',
  loginTooOften: '此处登录次数过多，请稍等一分钟再试。',
  linkFailed: '此设备链接已用过或已过期。请在另一台设备上重新生成，或输入名字。',
  loginOffline: '无法连接聊天服务，请检查网络后重试。',
  sessionEnded: '会话已结束，请重新登录。',
  language: '语言',
  otherLanguage: 'English',
  roomLabel: '房间',
  joinButton: '进入',
  roomInvalid: '房间名由 1 到 64 个字母、数字、_ 或 - 组成。',
  roomHeading: '#{room}',
  newPrivateRoom: '新建私密房间',
  invite: '邀请',
  anotherDevice: '在其他设备上使用',
  deviceText: '在你的另一台设备上打开此链接，即可以同一身份使用。链接只能用一次，10 分钟内有效，请勿分享：',
  deviceLinkFailed: '无法生成链接，请重试。',
  inviteText: '拿到此链接的人都可以在这个房间里阅读和发言：',
  inviteLink: '邀请链接',
  copy: '复制',
  copied: '已复制',
  copyFailed: '请选中链接后复制。',
  signedInAs: '当前用户',
  logOut: '退出',
  messagesLabel: '消息',
  loadOlder: '加载更早的消息',
  loadingOlder: '加载中…',
  roomStart: '这是房间的第一条消息。',
  emptyRoom: '还没有消息，打个招呼吧！',
  messageLabel: '消息',
  messagePlaceholder: '输入消息…',
  composerHint: 'Enter 发送 · Shift+Enter 换行',
  send: '发送',
  sending: '发送中…',
  notSent: '未发送。',
  retry: '重试',
  discard: '丢弃',
  slowDown: '发送太快了，请 {s} 秒后再发。',
  sendOffline: '没有网络连接。',
  sendBusy: '聊天服务繁忙，请稍后重试。',
  textRejected: '聊天服务不接受这段文字（可能含有控制字符）。',
  charsLeft: '还可输入 {n} 个字符',
  charsOver: '超出 {n} 个字符',
  connected: '已连接',
  reconnecting: '正在重新连接…',
  offline: '离线',
  newMessagesOne: '1 条新消息',
  newMessagesMany: '{n} 条新消息',
  announceOne: '{name}：{text}',
  announceEdited: '{name} 编辑了一条消息：{text}',
  announceDeleted: '{name} 删除了一条消息。',
  announceChanges: '{n} 条消息有改动。',
  userTag: '用户 {tag}',
  you: '我',
  peopleHeading: '在线成员',
  peopleHere: '{n} 人在线',
  peopleMore: '还有 {n} 人',
  typingMark: '正在输入…',
  typingOne: '{name} 正在输入…',
  typingTwo: '{a} 和 {b} 正在输入…',
  typingMany: '{n} 人正在输入…',
  shareTyping: '让别人看到我正在输入',
  today: '今天',
  yesterday: '昨天',
  showMore: '展开全文',
  showLess: '收起',
  roomsHeading: '我的房间',
  roomsToggle: '我的房间',
  roomsToggleUnread: '我的房间，{n} 条未读',
  closeRooms: '关闭房间列表',
  joinRoomLabel: '加入房间',
  roomNamePlaceholder: '房间名',
  leaveRoom: '离开 #{room}',
  notifyAllRoom: '#{room} 的每条消息都通知我',
  roomUnread: '{n} 条未读',
  roomMentioned: '有人提到你',
  mentionsYou: '提到了你',
  newMessagesLine: '以下是新消息',
  notifyLabel: '有人提到我时发桌面通知',
  notifyBlocked: '浏览器设置已阻止此网站发送通知。',
  notifyUnsupported: '此浏览器无法显示通知。',
  notifyMention: '{name} 在 #{room} 提到了你',
  notifyMessage: '{name}（#{room}）',
  notifyManyTitle: '#{room}',
  notifyMany: '{n} 条新消息',
  notifyManyMentions: '{n} 条新消息，其中 {m} 条提到了你',
  messageActions: '消息操作',
  reactWith: '用 {emoji} 回应',
  reactionsLabel: '回应',
  reactionCount: '{n} 人用 {emoji} 回应',
  editMessage: '编辑',
  deleteMessage: '删除',
  edited: '（已编辑）',
  editedAt: '编辑于 {time}',
  messageDeleted: '消息已删除',
  editLabel: '编辑消息',
  editHint: 'Enter 保存 · Shift+Enter 换行 · Esc 取消',
  save: '保存',
  saving: '保存中…',
  cancel: '取消',
  editEmpty: '消息不能为空；如要撤回，请删除它。',
  deleteHeading: '删除这条消息？',
  deleteText: '所有人都会在原处看到“消息已删除”。此操作无法撤销。',
  changeForbidden: '只有作者才能修改这条消息。',
  changeGone: '这条消息已不在房间里。',
  changeDeleted: '这条消息已被删除。',
  reactionLimit: '这条消息的回应种类已达上限。',
  changeWait: '操作太频繁，{s} 秒后自动重试。',
  changeFailed: '无法修改消息，请检查网络后重试。',
};

export type Lang = 'en' | 'zh';
const STRINGS: Record<Lang, Record<StringKey, string>> = { en, zh };
const STORAGE_KEY = 'chat.lang';

let current: Lang = 'en';

export function lang(): Lang {
  return current;
}

/** The BCP 47 tag for dates and times in the current language. */
export function locale(): string {
  return current === 'zh' ? 'zh-CN' : 'en';
}

/** The reader's earlier choice, else the first of the browser's languages that we speak. */
export function initialLang(stored: string | null, browserLanguages: readonly string[]): Lang {
  if (stored === 'en' || stored === 'zh') return stored;
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'zh') return 'zh';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

export function setLang(next: Lang, remember: boolean): void {
  current = next;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Storage may be disabled; the choice then lasts for this page only.
    }
  }
}

export function storedLang(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function t(key: StringKey, vars: Readonly<Record<string, string | number>> = {}): string {
  return STRINGS[current][key].replace(/\{(\w+)\}/g, (whole, name: string) =>
    vars[name] === undefined ? whole : String(vars[name]),
  );
}

/** Puts the current language's strings into the elements marked in the page's HTML. */
export function translateStatic(root: ParentNode): void {
  document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n]')) el.textContent = t(el.dataset.i18n as StringKey);
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-placeholder]')) {
    el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder as StringKey));
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) {
    el.setAttribute('aria-label', t(el.dataset.i18nLabel as StringKey));
  }
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n-title]'))
    el.title = t(el.dataset.i18nTitle as StringKey);
  // The language switch names the other language in that language, so it is read out in it.
  for (const el of root.querySelectorAll<HTMLElement>('[data-i18n="otherLanguage"]')) {
    el.lang = current === 'zh' ? 'en' : 'zh-CN';
  }
}
