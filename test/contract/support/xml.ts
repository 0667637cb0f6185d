/**
 * Well-formedness by a real XML parser: the JDK's (Java is already needed for DynamoDB Local).
 * XmlCheck.java parses each document with DTDs refused and every warning fatal, and prints
 * the element tree as JSON, so a test can compare what an XML client would read.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The element's own text (its text children joined), entities and character references resolved. */
  readonly text: string;
  readonly children: readonly XmlElement[];
}

export type XmlParse = { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly error: string };

const CHECKER = join(__dirname, 'XmlCheck.java');

/** Parses every document in one JVM start (about a second); answers in the same order. */
export async function parseXmlDocuments(documents: readonly string[]): Promise<XmlParse[]> {
  const dir = mkdtempSync(join(tmpdir(), 'xml-check-'));
  try {
    const files = documents.map((doc, i) => {
      const file = join(dir, `${i}.xml`);
      writeFileSync(file, doc, 'utf8');
      return file;
    });
    const { stdout } = await promisify(execFile)('java', ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC', CHECKER, ...files], {
      timeout: 60_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    const results = stdout.trim().split('\n').map((line) => JSON.parse(line) as XmlParse);
    if (results.length !== documents.length) throw new Error(`XmlCheck answered ${results.length} of ${documents.length} documents`);
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses one document and fails the test unless it is well-formed. */
export async function parseXmlStrictly(document: string): Promise<XmlElement> {
  const [result] = await parseXmlDocuments([document]);
  if (!result?.ok) throw new Error(`not well-formed XML: ${result?.error}\n${document}`);
  return result.root;
}

export const childText = (element: XmlElement, name: string): string | undefined =>
  element.children.find((c) => c.name === name)?.text;
