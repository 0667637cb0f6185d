/**
 * Well-formedness by a real XML parser: the JDK's (Java is already needed for DynamoDB Local).
 * XmlCheck.java parses each document with DTDs refused and every warning fatal, and answers
 * the element tree as JSON, so a test can compare what an XML client would read. One JVM is
 * started on first use and serves the whole test file.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The element's own text (its text children joined), entities and character references resolved. */
  readonly text: string;
  readonly children: readonly XmlElement[];
}

export type XmlParse =
  | { readonly ok: true; readonly root: XmlElement }
  | { readonly ok: false; readonly error: string };

const CHECKER = join(__dirname, 'XmlCheck.java');

let checker:
  | { process: ChildProcessWithoutNullStreams; waiting: Array<(line: string) => void>; stderr: string }
  | undefined;

function startChecker() {
  const child = spawn('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', CHECKER], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const state = { process: child, waiting: [] as Array<(line: string) => void>, stderr: '' };
  child.stderr.on('data', (chunk: Buffer) => (state.stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => state.waiting.shift()?.(line));
  child.on('exit', (code) => {
    if (checker === state) checker = undefined;
    for (const resolve of state.waiting.splice(0))
      resolve(JSON.stringify({ ok: false, error: `XmlCheck exited (${code}): ${state.stderr}` }));
  });
  // Not a reason for jest to wait: the process ends with its stdin.
  child.unref();
  return state;
}

/** Parses each document as an XML reader would; answers in the same order. */
export async function parseXmlDocuments(documents: readonly string[]): Promise<XmlParse[]> {
  checker ??= startChecker();
  const running = checker;
  const answers = documents.map(
    (doc) =>
      new Promise<XmlParse>((resolve) => {
        running.waiting.push((line) => resolve(JSON.parse(line) as XmlParse));
        running.process.stdin.write(`${Buffer.from(doc, 'utf8').toString('base64')}\n`);
      }),
  );
  return Promise.all(answers);
}

/** Parses one document and fails the test unless it is well-formed. */
export async function parseXmlStrictly(document: string): Promise<XmlElement> {
  const [result] = await parseXmlDocuments([document]);
  if (!result?.ok) throw new Error(`not well-formed XML: ${result?.error}\n${document}`);
  return result.root;
}

/** Ends the checker's JVM (call in afterAll). */
export function stopXmlChecker(): void {
  checker?.process.stdin.end();
  checker = undefined;
}

export const childText = (element: XmlElement, name: string): string | undefined =>
  element.children.find((c) => c.name === name)?.text;
