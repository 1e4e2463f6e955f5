/**
 * What a CEL expression may cost, as Kubernetes bounds CEL in the API server: every node
 * evaluated costs one, and a comprehension (`all`, `exists`, `map`, `filter`, ...) costs its
 * step once per element. The worst case is a polynomial in the length of the longest list (or
 * map) the expression may iterate: nested comprehensions over the containers of a
 * 19,000-container Pod cost 19,000² steps, seconds of a single thread.
 */

/** Kubernetes' per-call limit for CEL validation expressions. */
export const CEL_COST_LIMIT = 1_000_000;

interface CelNode {
  readonly op?: string;
  readonly args?: unknown;
  readonly meta?: { readonly alternate?: CelNode };
}

/** A polynomial in L as its coefficients: `[a, b, c]` is a + b·L + c·L². */
export type CostPolynomial = readonly number[];

const add = (a: CostPolynomial, b: CostPolynomial): number[] =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, index) => (a[index] ?? 0) + (b[index] ?? 0));
const timesL = (a: CostPolynomial): number[] => [0, ...a];

/** The cost of an expression's tree as a polynomial in the longest list length. */
export const celCost = (node: unknown): CostPolynomial => {
  if (node === null || typeof node !== 'object') return [];
  if (Array.isArray(node)) return node.reduce<number[]>((sum, child) => add(sum, celCost(child)), []);
  const ast = node as CelNode;
  if (ast.op === undefined) return Object.values(node).reduce<number[]>((sum, child) => add(sum, celCost(child)), []);
  const alternate = ast.meta?.alternate;
  if (alternate?.op === 'comprehension') {
    const args = alternate.args as { iterable?: unknown; init?: unknown; condition?: unknown; step?: unknown };
    // The iterable and the initial value once; the step for every element.
    return add(add([1], add(celCost(args.iterable), celCost(args.init))), timesL(add([1], celCost(args.step))));
  }
  return add([1], celCost(ast.args));
};

export const evaluateCost = (cost: CostPolynomial, longest: number): number =>
  cost.reduce((sum, coefficient, power) => sum + coefficient * longest ** power, 0);

/** The longest list, or largest map, in a value: what a comprehension over any part of it may iterate. */
export const longestCollection = (value: unknown, limit = 1_000_000): number => {
  let longest = 0;
  const stack: unknown[] = [value];
  let visited = 0;
  while (stack.length > 0 && visited++ < limit) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    if (children.length > longest) longest = children.length;
    for (const child of children) if (child !== null && typeof child === 'object') stack.push(child);
  }
  return longest;
};
