import m001 from './001-initial';

export interface Migration {
  name: string;
  sql: string;
}

/** The registry: version N is MIGRATIONS[N-1]. Append only. */
export const MIGRATIONS: readonly Migration[] = [m001];
