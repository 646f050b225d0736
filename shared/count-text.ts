/**
 * A number as the product writes counts: "1,234,567" (en-US grouping), for every host. Whole numbers are grouped
 * here: the first `toLocaleString` of a process loads ICU's number data, 30–50 ms measured on a CLI run's last step.
 * Other numbers (fractions, NaN, Infinity) still go through `toLocaleString('en-US')`.
 */
export function countText(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString('en-US');
  const digits = String(Math.abs(n));
  let out = digits.length > 3 ? '' : digits;
  if (digits.length > 3) {
    const head = digits.length % 3 || 3;
    out = digits.slice(0, head);
    for (let i = head; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  }
  return n < 0 ? `-${out}` : out;
}
