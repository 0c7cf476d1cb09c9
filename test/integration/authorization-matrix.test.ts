// The authorisation matrix (test/helpers/authorization-matrix.ts) on SQLite.

import t from 'tap';
import { startApiApp } from '../helpers/api-app.js';
import { authorizationMatrix } from '../helpers/authorization-matrix.js';

const api = await startApiApp();
t.teardown(() => api.close());
await authorizationMatrix(api);
