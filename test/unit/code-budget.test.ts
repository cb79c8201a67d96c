import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;
const FILE_BUDGET_DIRS = ['src', 'test', 'bench', 'scripts', 'web'];
/** Test files keep only the file budget: a describe(() => …) block is naturally long. */
const FUNCTION_BUDGET_DIRS = ['src', 'bench', 'scripts', 'web'];
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'fixtures', '__fixtures__', 'results']);
const CODE_FILE = /\.(tsx?|mjs|cjs|css)$/;

interface LongFunctionException {
  file: string;
  fn: string;
  reason: string;
}

/** Keep it short. An entry whose function is back within budget (or gone) fails the test. */
const LONG_FUNCTIONS_ALLOWED: readonly LongFunctionException[] = [
  {
    file: 'src/lib/json-strings.ts',
    fn: 'walkJson',
    reason: 'byte-level JSON tokenizer on the hot path: one loop over local state is faster than helper calls',
  },
];

interface SourceText {
  /** relative to the project root, with '/' separators */
  path: string;
  text: string;
}

interface FunctionSpan {
  /** qualified by its owners, e.g. PacedLoad.run.<anonymous> */
  name: string;
  line: number;
  lines: number;
}

interface BudgetRules {
  hasFunctionBudget(path: string): boolean;
  allowed: readonly LongFunctionException[];
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

function functionName(node: ts.Node): string | undefined {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isMethodDeclaration(node)) return node.name.getText();
  if (ts.isGetAccessorDeclaration(node)) return `get ${node.name.getText()}`;
  if (ts.isSetAccessorDeclaration(node)) return `set ${node.name.getText()}`;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) {
      return parent.name.getText();
    }
    return node.name?.text ?? '<anonymous>';
  }
  return undefined;
}

function functionSpans(file: SourceText): FunctionSpan[] {
  const source = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true);
  const spans: FunctionSpan[] = [];
  const lineOf = (pos: number): number => source.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node, owner: string): void => {
    const name = functionName(node);
    let inner = owner;
    if (name !== undefined) {
      inner = owner ? `${owner}.${name}` : name;
      const body = (node as ts.FunctionLikeDeclaration).body;
      if (body) {
        const line = lineOf(node.getStart(source));
        spans.push({ name: inner, line, lines: lineOf(node.getEnd()) - line + 1 });
      }
    } else if (ts.isClassLike(node) && node.name) {
      inner = node.name.text;
    }
    ts.forEachChild(node, (child) => visit(child, inner));
  };
  visit(source, '');
  return spans;
}

function budgetViolations(files: readonly SourceText[], rules: BudgetRules): string[] {
  const violations: string[] = [];
  const excused = new Set<LongFunctionException>();
  for (const file of files) {
    const lines = lineCount(file.text);
    if (lines > MAX_FILE_LINES) violations.push(`${file.path}:1 file is ${lines} lines (max ${MAX_FILE_LINES})`);
    if (!rules.hasFunctionBudget(file.path)) continue;
    for (const fn of functionSpans(file)) {
      if (fn.lines <= MAX_FUNCTION_LINES) continue;
      const exception = rules.allowed.find((a) => a.file === file.path && a.fn === fn.name);
      if (exception) excused.add(exception);
      else violations.push(`${file.path}:${fn.line} ${fn.name} is ${fn.lines} lines (max ${MAX_FUNCTION_LINES})`);
    }
  }
  for (const a of rules.allowed) {
    if (!excused.has(a)) {
      violations.push(`${a.file} ${a.fn} is allowed to be long but is not over ${MAX_FUNCTION_LINES} lines (or is gone): drop the exception`);
    }
  }
  return violations;
}

function codeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : codeFiles(path);
    return CODE_FILE.test(entry.name) ? [path] : [];
  });
}

function projectFiles(): SourceText[] {
  return FILE_BUDGET_DIRS.flatMap((dir) => codeFiles(join(ROOT, dir))).map((abs) => ({
    path: relative(ROOT, abs).split(sep).join('/'),
    text: readFileSync(abs, 'utf8'),
  }));
}

const PROJECT_RULES: BudgetRules = {
  // Stylesheets keep only the file budget: they have no functions to measure.
  hasFunctionBudget: (path) => !path.endsWith('.css') && FUNCTION_BUDGET_DIRS.some((dir) => path.startsWith(`${dir}/`)),
  allowed: LONG_FUNCTIONS_ALLOWED,
};

const NO_EXCEPTIONS: BudgetRules = { ...PROJECT_RULES, allowed: [] };

/** `head`, then `bodyLines` filler lines, then `tail`: head and tail are one line each. */
function block(head: string, bodyLines: number, tail = '}'): string {
  return [head, ...Array.from({ length: bodyLines }, (_, i) => `  void ${i};`), tail].join('\n');
}

describe('code budget', () => {
  it(`files have at most ${MAX_FILE_LINES} lines, functions in src, web, bench and scripts at most ${MAX_FUNCTION_LINES}`, () => {
    const files = projectFiles();
    assert.ok(files.length > 100, `expected to find the source tree, found ${files.length} files`);
    for (const expected of ['src/lib/json-strings.ts', 'test/unit/code-budget.test.ts', 'bench/run.ts', 'scripts/run-tests.mjs', 'web/src/App.tsx', 'web/src/styles/app.css']) {
      assert.ok(files.some((f) => f.path === expected), `${expected} is scanned`);
    }
    assert.ok(!files.some((f) => /(^|\/)(node_modules|dist|fixtures|__fixtures__)\//.test(f.path)), 'skipped folders are skipped');
    const violations = budgetViolations(files, PROJECT_RULES);
    assert.deepEqual(violations, [], `over budget:\n${violations.join('\n')}`);
  });

  it('reports an 81-line function with its file, line and length, and lets an 80-line one pass', () => {
    const text = ['// header', block('function tooLong(): void {', 79), block('function fits(): void {', 78)].join('\n');
    const violations = budgetViolations([{ path: 'src/sample.ts', text }], NO_EXCEPTIONS);
    assert.deepEqual(violations, ['src/sample.ts:2 tooLong is 81 lines (max 80)']);
  });

  it('measures methods, constructors, accessors, arrows and function expressions alike', () => {
    const text = [
      'class Sample {',
      block('  constructor() {', 79, '  }'),
      block('  method(): void {', 79, '  }'),
      block('  get value(): number {', 79, '  }'),
      block('  set value(v: number) {', 79, '  }'),
      block('  field = (): void => {', 79, '  };'),
      '}',
      block('const arrow = (): void => {', 79, '};'),
      block('const expression = function (): void {', 79, '};'),
      block('[1].forEach(() => {', 79, '});'),
    ].join('\n');
    const violations = budgetViolations([{ path: 'bench/sample.ts', text }], NO_EXCEPTIONS);
    assert.deepEqual(violations, [
      'bench/sample.ts:1 file is 650 lines (max 400)',
      'bench/sample.ts:2 Sample.constructor is 81 lines (max 80)',
      'bench/sample.ts:83 Sample.method is 81 lines (max 80)',
      'bench/sample.ts:164 Sample.get value is 81 lines (max 80)',
      'bench/sample.ts:245 Sample.set value is 81 lines (max 80)',
      'bench/sample.ts:326 Sample.field is 81 lines (max 80)',
      'bench/sample.ts:408 arrow is 81 lines (max 80)',
      'bench/sample.ts:489 expression is 81 lines (max 80)',
      'bench/sample.ts:570 <anonymous> is 81 lines (max 80)',
    ]);
  });

  it('reports a 401-line file, lets a 400-line one pass, and exempts tests from the function budget only', () => {
    const lines = (n: number): string => Array.from({ length: n }, (_, i) => `void ${i};`).join('\n') + '\n';
    const files = [
      { path: 'src/too-long.ts', text: lines(401) },
      { path: 'src/fits.ts', text: lines(400) },
      { path: 'test/long-describe.test.ts', text: block('describe("x", () => {', 200, '});') },
    ];
    const violations = budgetViolations(files, NO_EXCEPTIONS);
    assert.deepEqual(violations, ['src/too-long.ts:1 file is 401 lines (max 400)']);
  });

  it('excuses an allowed long function and fails an exception that is no longer needed', () => {
    const allowed = [{ file: 'src/sample.ts', fn: 'tokenizer', reason: 'test' }, { file: 'src/sample.ts', fn: 'short', reason: 'test' }];
    const text = [block('function tokenizer(): void {', 100), block('function short(): void {', 3)].join('\n');
    const violations = budgetViolations([{ path: 'src/sample.ts', text }], { ...PROJECT_RULES, allowed });
    assert.deepEqual(violations, [
      'src/sample.ts short is allowed to be long but is not over 80 lines (or is gone): drop the exception',
    ]);
  });
});
