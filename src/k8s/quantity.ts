/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity): a decimal number with
 * an optional binary (Ki..Ei), decimal (n, u, m, k, M..E) or exponent (e3, E-2) suffix.
 */
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

/** The quantity's value in base units (cores, bytes), or `undefined` when the text is not a quantity. */
export const parseQuantity = (text: string): number | undefined => {
  const match = QUANTITY.exec(text.trim());
  if (!match) return undefined;
  const number = Number(match[1]);
  const suffix = match[2];
  if (suffix !== undefined) return number * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
  if (match[3] !== undefined) return number * 10 ** Number(match[3]);
  return number;
};
