/**
 * The largest of many numbers: `Math.max(...values)` passes every value as an argument and
 * overflows the stack past about a hundred thousand of them (a report of 14,000 Pods' findings).
 */
export const largest = (values: Iterable<number>, floor = -Infinity): number => {
  let best = floor;
  for (const value of values) if (value > best) best = value;
  return best;
};
