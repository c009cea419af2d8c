import ts from 'typescript';

/** A half-open range of character offsets in a source file. */
export type Span = readonly [number, number];

const isFaultName = (node: ts.Node) =>
  (ts.isIdentifier(node) && node.text === 'fault') ||
  (ts.isPropertyAccessExpression(node) && node.name.text === 'fault');
const isRelaxation = (node: ts.Node) =>
  ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'relax';

/**
 * A fault switch, and whether it is true only under a fault (`fault === 'x'`, `relax.anyRegion`,
 * `fault`, `isJwtFault(fault)`) or false only under one (`fault !== 'x'`, `!relax.anyRegion`).
 */
function switchSign(node: ts.Expression): 'only-under-fault' | 'unless-fault' | undefined {
  if (ts.isParenthesizedExpression(node)) return switchSign(node.expression);
  if (isFaultName(node) || isRelaxation(node)) return 'only-under-fault';
  if (ts.isCallExpression(node) && node.arguments.length === 1 && isFaultName(node.arguments[0] as ts.Node))
    return 'only-under-fault';
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = switchSign(node.operand);
    return inner && (inner === 'only-under-fault' ? 'unless-fault' : 'only-under-fault');
  }
  if (
    ts.isBinaryExpression(node) &&
    isRelaxation(node.left) &&
    node.right.kind === ts.SyntaxKind.TrueKeyword &&
    node.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken
  )
    return 'only-under-fault';
  if (ts.isBinaryExpression(node) && (isFaultName(node.left) || isFaultName(node.right))) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken) return 'only-under-fault';
    if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken) return 'unless-fault';
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return switchSign(node.left) === 'only-under-fault' || switchSign(node.right) === 'only-under-fault'
      ? 'only-under-fault'
      : undefined;
  return undefined;
}

/** A statement that always returns or throws. */
function leaves(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  return ts.isBlock(st) && st.statements.length > 0 && leaves(st.statements.at(-1) as ts.Statement);
}

/**
 * The code of a decision file that only a fault of the reference gateway runs or decides: the
 * fault switches themselves, what they guard (`fault === 'x' && …`, the branch of an `if` or `?:`
 * taken only under a fault), the fault catalogue (`export const …_FAULTS = [...]`), and functions
 * called only from such code. A mutant there changes nothing while no fault is set: the fault
 * test, not the mutation score, proves that code.
 */
export function faultOnlySpans(fileName: string, source: string): Span[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2023, true);
  const spans: Span[] = [];
  const add = (node: ts.Node) => spans.push([node.getStart(file), node.getEnd()]);
  const guarded = (
    sign: 'only-under-fault' | 'unless-fault' | undefined,
    whenOn: ts.Node | undefined,
    whenOff: ts.Node | undefined,
  ) => {
    if (sign === 'only-under-fault' && whenOn) add(whenOn);
    if (sign === 'unless-fault' && whenOff) add(whenOff);
  };
  const visit = (node: ts.Node) => {
    if (ts.isExpression(node) && switchSign(node)) add(node);
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      /FAULTS$/.test(node.name.text) &&
      node.initializer
    )
      add(node.initializer);
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      // `switch && x`, `x && switch`: x decides nothing unless a fault is set; alike for ||.
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
        guarded(switchSign(node.left), node.right, undefined);
        guarded(switchSign(node.right), node.left, undefined);
      }
      if (op === ts.SyntaxKind.BarBarToken) {
        guarded(switchSign(node.left), undefined, node.right);
        guarded(switchSign(node.right), undefined, node.left);
      }
    }
    if (ts.isConditionalExpression(node)) guarded(switchSign(node.condition), node.whenTrue, node.whenFalse);
    if (ts.isIfStatement(node)) guarded(switchSign(node.expression), node.thenStatement, node.elseStatement);
    // `if (fault !== 'x') return …;` — what follows in the block runs only under the fault.
    if (ts.isBlock(node)) {
      const at = node.statements.findIndex(
        (st) =>
          ts.isIfStatement(st) &&
          !st.elseStatement &&
          switchSign(st.expression) === 'unless-fault' &&
          leaves(st.thenStatement),
      );
      const rest = node.statements.slice(at + 1);
      if (at >= 0 && rest.length)
        spans.push([(rest[0] as ts.Node).getStart(file), (rest.at(-1) as ts.Node).getEnd()]);
    }
    if (ts.isSwitchStatement(node) && isFaultName(node.expression))
      for (const clause of node.caseBlock.clauses) if (ts.isCaseClause(clause)) add(clause);
    ts.forEachChild(node, visit);
  };
  visit(file);
  // Functions and methods whose every call, and variables whose every use, sits in fault-only code
  // are fault-only too.
  const within = (node: ts.Node) =>
    spans.some(([from, to]) => node.getStart(file) >= from && node.getEnd() <= to);
  for (let changed = true; changed; ) {
    changed = false;
    const calls = new Map<string, ts.Node[]>();
    const uses = new Map<string, ts.Node[]>();
    const bodies = new Map<string, ts.Node>();
    const collect = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        const name = ts.isIdentifier(callee)
          ? callee.text
          : ts.isPropertyAccessExpression(callee)
            ? callee.name.text
            : undefined;
        if (name) calls.set(name, [...(calls.get(name) ?? []), node]);
      }
      if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name && node.body)
        bodies.set(node.name.getText(file), node.body);
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer)
        bodies.set(node.name.text, node.initializer);
      if (ts.isIdentifier(node) && !(ts.isVariableDeclaration(node.parent) && node.parent.name === node))
        uses.set(node.text, [...(uses.get(node.text) ?? []), node]);
      ts.forEachChild(node, collect);
    };
    collect(file);
    for (const [name, body] of bodies) {
      const sites = ts.isVariableDeclaration(body.parent) ? (uses.get(name) ?? []) : (calls.get(name) ?? []);
      if (sites.length && sites.every(within) && !within(body)) {
        add(body);
        changed = true;
      }
    }
  }
  return spans;
}

/** Offsets of a Stryker location (lines and columns from 0) in `source`. */
export function offsetsOf(
  source: string,
  loc: { start: { line: number; column: number }; end: { line: number; column: number } },
): Span {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return [(starts[loc.start.line] ?? 0) + loc.start.column, (starts[loc.end.line] ?? 0) + loc.end.column];
}

export function insideAny(span: Span, spans: readonly Span[]): boolean {
  return spans.some(([from, to]) => span[0] >= from && span[1] <= to);
}
