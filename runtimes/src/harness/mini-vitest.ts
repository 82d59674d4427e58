/**
 * The slice of vitest's API the conformance suite uses (`describe`, `it`,
 * hooks, `expect`), small enough to run in any JavaScript runtime. The bundler
 * puts this module where the suite imports "vitest", so Bun, Deno and workerd
 * run the very same test bodies vitest runs in Node. `expect` is vitest's own
 * (`@vitest/expect` on chai), so matchers mean exactly what they mean there.
 */
import {
  ASYMMETRIC_MATCHERS_OBJECT,
  type ExpectStatic,
  getState,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  setState,
} from "@vitest/expect";
import * as chai from "chai";

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

type Hook = () => unknown;
type Body = () => unknown;

interface Suite {
  readonly name: string;
  readonly body: Body | undefined;
  readonly suites: Suite[];
  readonly tests: { name: string; body: Body; timeoutMs: number }[];
  readonly beforeEach: Hook[];
  readonly afterEach: Hook[];
  readonly beforeAll: Hook[];
  readonly afterAll: Hook[];
  /** Order of registration, so tests and sub-suites run as written. */
  readonly order: ("suite" | "test")[];
}

/** One finished test. */
export interface TestResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

function newSuite(name: string, body?: Body): Suite {
  return { name, body, suites: [], tests: [], beforeEach: [], afterEach: [], beforeAll: [], afterAll: [], order: [] };
}

const root = newSuite("");
let current = root;

/** Registers a suite; its body runs at collection time and may be async (as in vitest). */
export function describe(name: string, body: Body): void {
  current.suites.push(newSuite(name, body));
  current.order.push("suite");
}

/** Registers a test. */
export function it(name: string, body: Body, timeoutMs = DEFAULT_TIMEOUT_MS): void {
  current.tests.push({ name, body, timeoutMs });
  current.order.push("test");
}
export const test = it;

export function beforeEach(hook: Hook): void {
  current.beforeEach.push(hook);
}
export function afterEach(hook: Hook): void {
  current.afterEach.push(hook);
}
export function beforeAll(hook: Hook): void {
  current.beforeAll.push(hook);
}
export function afterAll(hook: Hook): void {
  current.afterAll.push(hook);
}

function createExpect(): ExpectStatic {
  const expectFn = ((value: unknown, message?: string) => {
    const { assertionCalls } = getState(expectFn);
    setState({ assertionCalls: assertionCalls + 1 }, expectFn);
    return chai.expect(value, message);
  }) as unknown as ExpectStatic;
  Object.assign(expectFn, chai.expect);
  Object.assign(expectFn, (globalThis as Record<symbol, unknown>)[ASYMMETRIC_MATCHERS_OBJECT]);
  setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null }, expectFn);
  return expectFn;
}

/** vitest's `expect`, with its asymmetric matchers (`expect.any`, ...). */
export const expect = createExpect();

async function withTimeout(run: () => unknown, timeoutMs: number, label: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label} timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(run), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

async function collect(suite: Suite): Promise<void> {
  if (!suite.body) return;
  const parent = current;
  current = suite;
  try {
    await suite.body();
  } finally {
    current = parent;
  }
  for (const child of suite.suites) await collect(child);
}

async function runSuite(suite: Suite, path: string[], outer: Suite[], results: TestResult[]): Promise<void> {
  const chain = [...outer, suite];
  for (const hook of suite.beforeAll) await withTimeout(hook, DEFAULT_TIMEOUT_MS, "beforeAll");
  let testIndex = 0;
  let suiteIndex = 0;
  for (const kind of suite.order) {
    if (kind === "suite") {
      const child = suite.suites[suiteIndex++] as Suite;
      await runSuite(child, [...path, child.name], chain, results);
      continue;
    }
    const { name, body, timeoutMs } = suite.tests[testIndex++] as Suite["tests"][number];
    const started = performance.now();
    const errors: unknown[] = [];
    try {
      for (const level of chain) for (const hook of level.beforeEach) await withTimeout(hook, timeoutMs, "beforeEach");
      await withTimeout(body, timeoutMs, "test");
    } catch (error) {
      errors.push(error);
    }
    // afterEach runs innermost first, also after a failure (clean-up must happen).
    for (const level of [...chain].reverse()) {
      for (const hook of [...level.afterEach].reverse()) {
        try {
          await withTimeout(hook, timeoutMs, "afterEach");
        } catch (error) {
          errors.push(error);
        }
      }
    }
    const ms = Math.round(performance.now() - started);
    const fullName = [...path, name].filter(Boolean).join(" > ");
    results.push(
      errors.length === 0
        ? { name: fullName, ok: true, ms }
        : { name: fullName, ok: false, ms, error: errors.map(describeError).join("; ") },
    );
  }
  for (const hook of suite.afterAll) await withTimeout(hook, DEFAULT_TIMEOUT_MS, "afterAll");
}

/** Collects everything registered so far, runs it in order, and returns one result per test. */
export async function runRegistered(): Promise<TestResult[]> {
  const results: TestResult[] = [];
  for (const suite of root.suites) await collect(suite);
  await runSuite(root, [], [], results);
  return results;
}
