/**
 * cdk-nag's AWS Solutions checks over the whole app, in both removal configurations: no
 * finding is left unacknowledged, and every acknowledgement answers a finding that really
 * occurs, on a named resource, with a reason.
 */
import { Validations, type CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthChat, type Synthesised } from './synth';

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  /** The construct it is attached to; it covers that construct and everything below it. */
  readonly path: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          // CDK keeps them as `Annotation::<id>`.
          id: id.replace(/^annotation::/i, ''),
          reason,
          path: construct.node.path,
        })),
      ),
  );
}

/**
 * Every finding the checks raise, acknowledged or not, as `rule at resource path`. The pack
 * asks whether each finding is acknowledged before reporting it; listening to that question
 * lists them all.
 */
function allFindings(root: IConstruct): { findings: { id: string; path: string }[]; unacknowledged: unknown[] } {
  const pack = new AwsSolutionsChecks();
  const findings: { id: string; path: string }[] = [];
  const asked = pack as unknown as { isAcknowledged: (resource: CfnResource, ruleId: string) => boolean };
  const isAcknowledged = asked.isAcknowledged.bind(pack);
  asked.isAcknowledged = (resource, ruleId) => {
    findings.push({ id: ruleId, path: resource.node.path });
    return isAcknowledged(resource, ruleId);
  };
  const report = pack.validateScope(root);
  return { findings, unacknowledged: report.violations };
}

describe.each([
  ['retain', { removalPolicy: 'retain' }],
  ['destroy (buckets emptied by CDK on delete)', { removalPolicy: 'destroy' }],
  ['retain, polls held (a concurrency budget and its alarm)', { pollWaitSeconds: 14 }],
])('cdk-nag AWS Solutions checks, removal policy %s', (_, context) => {
  let synth: Synthesised;
  beforeAll(() => {
    synth = synthChat(context);
  }, 120_000); // the first synth in a process loads most of aws-cdk-lib
  afterAll(() => synth.cleanup());

  it('finds nothing unacknowledged, errors and warnings alike', () => {
    expect(allFindings(synth.app).unacknowledged).toEqual([]);
  });

  it('lets the app synthesise with the checks registered (as `cdk synth` runs them)', () => {
    expect(() => synth.app.synth({ force: true })).not.toThrow();
  });

  it('acknowledges only findings that occur, each at the resource it concerns, with a concrete reason', () => {
    const { findings } = allFindings(synth.app);
    const acks = acknowledgements(synth.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      const answered = findings.filter(
        (f) => f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`)),
      );
      expect({ ack: `${ack.id} at ${ack.path}`, answered: answered.length > 0 }).toEqual({
        ack: `${ack.id} at ${ack.path}`,
        answered: true,
      });
      expect(ack.path).not.toBe(synth.stack.node.path); // never a blanket acknowledgement for the stack
      expect(ack.reason.length).toBeGreaterThanOrEqual(60);
    }
  });
});
