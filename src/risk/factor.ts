/** One reason something ranks where it does: a multiplier, and the evidence in plain words. */
export interface RiskFactor {
  readonly id: string;
  readonly name: string;
  readonly multiplier: number;
  readonly evidence: readonly string[];
}

/** StackRox's normalisation: 1 + (raw / saturation) × (max − 1), capped at max. */
export const normalise = (raw: number, saturation: number, max: number): number => Math.min(max, 1 + (raw / saturation) * (max - 1));

/** The product of the factors' multipliers, to two decimals. */
export const scoreOf = (factors: readonly RiskFactor[]): number => Number(factors.reduce((product, factor) => product * factor.multiplier, 1).toFixed(2));
