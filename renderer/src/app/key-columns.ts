/** A key's column and its further columns (`Email 1, Email 2`: a person with two emails), as the screens show them. */
export function columnsText(k: { column: string | number; extraColumns?: readonly (string | number)[] }): string {
  return [k.column, ...(k.extraColumns ?? [])].map(String).join(', ');
}
