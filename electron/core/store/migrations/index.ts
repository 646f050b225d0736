import m001 from './001-initial';
import m002 from './002-secret-locations';
import m003 from './003-quota-carryover';
import m004 from './004-removal-holds';
import m005 from './005-create-locks';
import m006 from './006-history-baseline';
import m007 from './007-removal-mode';
import m008 from './008-has-header';
import m009 from './009-chunk-generations';
import m010 from './010-quota-calls-by-run';

export interface Migration {
  name: string;
  sql: string;
}

/** The registry: version N is MIGRATIONS[N-1]. Append only. */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010];
