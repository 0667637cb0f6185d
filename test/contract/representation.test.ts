/**
 * Hostile but valid text travels unchanged: byte for byte in JSON, and XML-escaped in the
 * classic message list, which a real XML parser must read back to the very same text.
 */
import { loadApp, uniqueRoom } from '#test/support/app';
import { expectMatchesSpec } from '#test/support/openapi';
import { bothTransports, type Reply, type Transport } from './support/transports';
import { childText, parseXmlDocuments, parseXmlStrictly, stopXmlChecker, type XmlElement } from './support/xml';

const MESSAGES = '/api/rooms/{room}/messages';

const HOSTILE_TEXTS = [
  "'",
  '"',
  '<img src=x onerror=alert(1)>',
  ']]>',
  '&amp;',
  '&#60;script&#62; &lt; &unknown; &',
  '<![CDATA[ x ]]>',
  '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>&e;',
  '你好，世界。小明说：“你好”',
  '😀👍🏽👨‍👩‍👧 🇨🇳',
  'line 1\n\t<script>alert(\'x\')</script>\r\nline 3 & "quoted" ]]> 😀 中文\rlast',
  '  leading spaces and a tab\tinside',
  '\u2028\u2029 separators, zero\u200bwidth, RTL \u202e txet',
];
/** Accepted as text but not an XML character: the XML shows U+FFFD instead (documented). */
const NON_XML_TEXT = 'not XML: \uffff and \ufffe';
const HOSTILE_NAME = `<b>"O'Neil" & ]]>`;

let transports: Transport[];
beforeAll(async () => {
  transports = await bothTransports(loadApp({ CHAT_SEND_RATE: '0' }));
});
afterAll(async () => {
  stopXmlChecker();
  await Promise.all(transports.map((t) => t.close()));
});

/** The messages of a parsed `<messagelist>`, as a classic XML client reads them. */
function xmlMessages(root: XmlElement) {
  return root.children
    .filter((c) => c.name === 'message')
    .map((m) => ({
      id: Number(childText(m, 'id')),
      user: childText(m, 'user'),
      text: childText(m, 'msg'),
      ts: childText(m, 'ts'),
      uid: childText(m, 'uid'),
      elements: m.children.map((c) => c.name),
    }));
}

describe.each(['handlers', 'local server over HTTP'])('representations through the %s', (name) => {
  const transport = () => transports.find((t) => t.name === name)!;
  let token: string;
  let uid: string;
  let room: string;
  const read = async (query: string, options: { headers?: Record<string, string> } = {}): Promise<Reply> => {
    const res = await transport().request('GET', `/api/rooms/${room}/messages${query}`, { token, ...options });
    expectMatchesSpec('GET', MESSAGES, 200, res);
    return res;
  };

  beforeAll(async () => {
    const login = await transport().request('POST', '/api/login', { body: { name: HOSTILE_NAME } });
    expectMatchesSpec('POST', '/api/login', 200, login);
    expect(login.json.name).toBe(HOSTILE_NAME);
    ({ token, uid } = login.json);
    room = uniqueRoom('hostile');
  });

  it('stores hostile text and answers it byte for byte in JSON', async () => {
    for (const text of [...HOSTILE_TEXTS, NON_XML_TEXT]) {
      const res = await transport().request('POST', `/api/rooms/${room}/messages`, { token, body: { text } });
      expectMatchesSpec('POST', MESSAGES, 201, res);
      expect(Buffer.from(res.json.text)).toEqual(Buffer.from(text));
    }
    const page = await read('?after=0');
    expect(page.json.messages.map((m: { text: string }) => m.text)).toEqual([...HOSTILE_TEXTS, NON_XML_TEXT]);
    expect(page.json.messages.every((m: { user: string }) => m.user === HOSTILE_NAME)).toBe(true);
    // The raw body is plain JSON.stringify: nothing HTML-escaped or otherwise rewritten.
    expect(page.text).toContain(JSON.stringify('<img src=x onerror=alert(1)>'));
  });

  it('answers the same page as well-formed XML, via ?format=xml and via Accept, that reads back to the same text', async () => {
    const json = await read('?after=0');
    const viaFormat = await read('?after=0&format=xml');
    const viaAccept = await read('?after=0', { headers: { accept: 'application/xml' } });
    const viaTextXml = await read('?after=0', { headers: { accept: 'text/xml;q=0.9, */*;q=0.1' } });
    for (const res of [viaFormat, viaAccept, viaTextXml]) {
      expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
      expect(res.headers.vary).toBe('Accept');
      expect(res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<messagelist ')).toBe(true);
    }
    expect(viaAccept.text).toBe(viaFormat.text);
    expect(viaTextXml.text).toBe(viaFormat.text);

    // Nothing hostile survives unescaped in the raw document.
    expect(viaFormat.text).not.toContain('<img');
    expect(viaFormat.text).not.toContain('<script');
    expect(viaFormat.text).not.toContain('<![CDATA[');
    expect(viaFormat.text).not.toContain('<!DOCTYPE');
    expect(viaFormat.text).toContain('<msg>]]&gt;</msg>');
    expect(viaFormat.text).toContain('<msg>&amp;amp;</msg>');
    expect(viaFormat.text).toContain(`<user>&lt;b&gt;&quot;O&apos;Neil&quot; &amp; ]]&gt;</user>`);

    const root = await parseXmlStrictly(viaFormat.text);
    expect(root.name).toBe('messagelist');
    expect(root.attributes).toEqual({
      lastId: String(json.json.lastId),
      hasMore: String(json.json.hasMore),
      pollAfterMs: String(json.json.pollAfterMs),
    });
    const expected = json.json.messages.map((m: { id: number; text: string; ts: string }) => ({
      id: m.id,
      user: HOSTILE_NAME,
      text: m.text === NON_XML_TEXT ? 'not XML: \ufffd and \ufffd' : m.text,
      ts: m.ts,
      uid,
      elements: ['id', 'user', 'msg', 'ts', 'uid'],
    }));
    expect(xmlMessages(root)).toEqual(expected);
  });

  it('answers JSON unless XML is asked for, and ?format wins over Accept', async () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['?limit=1', {}, 'application/json'],
      ['?limit=1', { accept: 'application/json' }, 'application/json'],
      ['?limit=1', { accept: 'application/xml, application/json' }, 'application/json'],
      ['?limit=1', { accept: 'text/html,*/*' }, 'application/json'],
      ['?limit=1&format=json', { accept: 'application/xml' }, 'application/json'],
      ['?limit=1&format=xml', { accept: 'application/json' }, 'application/xml'],
      ['?limit=1', { accept: 'Application/XML' }, 'application/xml'],
    ];
    for (const [query, headers, mediaType] of cases) {
      const res = await read(query, { headers });
      expect({ query, headers, type: res.headers['content-type']?.split(';')[0] }).toEqual({
        query,
        headers,
        type: mediaType,
      });
    }
  });

  it('answers errors as JSON even when XML is asked for', async () => {
    const res = await transport().request('GET', `/api/rooms/${room}/messages?after=-1&format=xml`, { token });
    expectMatchesSpec('GET', MESSAGES, 400, res);
    expect(res.json.error.code).toBe('invalid_cursor');
  });

  it('answers well-formed XML for empty pages and paging attributes for every kind of page', async () => {
    const empty = uniqueRoom();
    const pages = await Promise.all([
      transport().request('GET', `/api/rooms/${empty}/messages?format=xml`, { token }),
      read('?after=0&limit=2&format=xml'),
      read('?before=3&limit=1&format=xml'),
      read(`?after=999&format=xml`),
    ]);
    const parsed = await parseXmlDocuments(pages.map((p) => p.text));
    const summary = parsed.map((p) =>
      p.ok ? { ...p.root.attributes, ids: xmlMessages(p.root).map((m) => m.id) } : p.error,
    );
    expect(summary).toEqual([
      { lastId: '0', hasMore: 'false', pollAfterMs: expect.stringMatching(/^[1-9]\d*$/), ids: [] },
      { lastId: '2', hasMore: 'true', pollAfterMs: '0', ids: [1, 2] },
      { lastId: '2', hasMore: 'true', pollAfterMs: '0', ids: [2] },
      { lastId: '999', hasMore: 'false', pollAfterMs: expect.stringMatching(/^[1-9]\d*$/), ids: [] },
    ]);
  });
});

describe('the XML check itself', () => {
  it('refuses what is not well-formed, so a passing document really is', async () => {
    const results = await parseXmlDocuments([
      '<?xml version="1.0" encoding="UTF-8"?>\n<messagelist><message><msg>a & b</msg></message></messagelist>',
      '<messagelist><msg>a <b> c</msg></messagelist>',
      '<messagelist><msg>\uffff</msg></messagelist>',
      '<!DOCTYPE m [<!ENTITY e "x">]><m>&e;</m>',
      '<m>&amp;&lt;&#13;</m>',
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, false, false, true]);
    expect(results[4]).toEqual({ ok: true, root: { name: 'm', attributes: {}, text: '&<\r', children: [] } });
  });
});
