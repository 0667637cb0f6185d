/** What every benchmark scenario receives and returns. */

export interface BenchContext {
  /** Shorter windows and smaller data, for a first look (minutes become seconds). */
  readonly quick: boolean;
  /** Profile the server (node --cpu-prof) where the scenario supports it. */
  readonly profile: boolean;
  /** Where files go (bench-results/). */
  readonly resultsDir: string;
  /** `--capacity=N`: the sustained short-poll rate to take as given (the overload scenario offers twice it). */
  readonly capacityPollsPerSecond?: number;
  /** The results of the scenarios already run in this run, by name. */
  readonly earlier: Readonly<Record<string, ScenarioResult>>;
  /** Progress lines while a scenario runs. */
  log(line: string): void;
}

export interface ScenarioResult {
  readonly title: string;
  /** The table (and notes) to print. */
  readonly text: string;
  /** Everything measured, for the JSON file. */
  readonly data: unknown;
}

export type Scenario = (ctx: BenchContext) => Promise<ScenarioResult>;

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
