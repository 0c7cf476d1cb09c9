import t from 'tap';
import { buildConfig } from '../../src/config.js';
import { checkSharedStores } from '../../src/main.js';
import { parseRoles } from '../../src/roles.js';

const pg = 'postgres://u@db.lan/matthan';

t.test('the single box may use its private Redis, the embedded broker and SQLite', async (t) => {
  t.doesNotThrow(() => checkSharedStores(buildConfig({}), parseRoles('all')));
});

t.test('a node of several names every shared store it lacks', async (t) => {
  t.throws(() => checkSharedStores(buildConfig({}), parseRoles('api')), {
    code: 'CONFIG_INVALID', message: /redisUrl \(REDIS_URL\), mqtt\.url \(MQTT_URL\), databaseUrl/,
  });
  t.throws(() => checkSharedStores(buildConfig({ redisUrl: 'redis://r:6379', mqtt: { url: 'mqtt://b' } }), parseRoles('worker')), { message: /databaseUrl/ },
    'SQLite is one machine\'s file');
});

t.test('an ingest node needs no broker', async (t) => {
  t.doesNotThrow(() => checkSharedStores(buildConfig({ redisUrl: 'redis://r:6379', databaseUrl: pg }), parseRoles('ingest')));
  t.throws(() => checkSharedStores(buildConfig({ redisUrl: 'redis://r:6379', databaseUrl: pg }), parseRoles('ingest,api')), { message: /mqtt\.url/ });
});
