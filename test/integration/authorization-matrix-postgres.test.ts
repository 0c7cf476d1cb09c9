// The authorisation matrix (test/helpers/authorization-matrix.ts) on PostgreSQL: the same scope
// predicates, keyset search, legal hold and audit appends, on the multi-machine store.

import t from 'tap';
import { startApiApp } from '../helpers/api-app.js';
import { authorizationMatrix } from '../helpers/authorization-matrix.js';
import { postgresBinDir } from '../helpers/postgres.js';

if (postgresBinDir() === null) {
  t.test('authorisation matrix on PostgreSQL', { skip: 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' }, () => {});
} else {
  const api = await startApiApp({}, 'postgres');
  t.teardown(() => api.close());
  await authorizationMatrix(api);
}
