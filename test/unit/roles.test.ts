import t from 'tap';
import { ALL_ROLES, describeRoles, parseRoles } from '../../src/roles.js';

t.test('all (or nothing) is the single box', async (t) => {
  t.same(parseRoles(undefined), ALL_ROLES);
  t.same(parseRoles('all'), ALL_ROLES);
  t.equal(describeRoles(parseRoles('all')), 'all');
});

t.test('a comma-separated list is one node of several', async (t) => {
  t.same(parseRoles('api, worker'), { api: true, ingest: false, worker: true, single: false });
  t.same(parseRoles('ingest'), { api: false, ingest: true, worker: false, single: false });
  t.equal(describeRoles(parseRoles('worker,api')), 'api,worker');
  t.same(parseRoles('api,ingest,worker').single, false, 'listing all three is still a node of several');
});

t.test('unknown roles, and all inside a list, are refused by name', async (t) => {
  t.throws(() => parseRoles('api,web'), { code: 'CONFIG_INVALID', message: /'web' is not a role/ });
  t.throws(() => parseRoles('all,api'), { code: 'CONFIG_INVALID', message: /'all' is not a role/ });
  t.throws(() => parseRoles(','), { code: 'CONFIG_INVALID' });
});
