// How an MQTT client of the embedded broker becomes an account: its username and password checked
// like the HTTP login (throttled per address, account lockout), or an API token as the password. The
// account's live-feed scope (access-policy.ts `live:read`) is what it may receive (broker-acl.ts).

import type { Accounts } from '../auth/accounts.js';
import { decide } from '../auth/access-policy.js';
import type { BrokerPrincipal } from './broker-acl.js';

export type AccountPrincipal = Extract<BrokerPrincipal, { kind: 'account' }>;

export function brokerSignIn(accounts: Pick<Accounts, 'verify' | 'authenticate'>) {
  return async (username: string, password: string, address: string): Promise<AccountPrincipal | null> => {
    const viewer = password.startsWith('mt_') ? await accounts.authenticate(password) : await accounts.verify(username, password, address);
    if (!viewer || viewer.username !== username.toLowerCase()) return null;
    const d = decide('live:read', viewer, undefined);
    return { kind: 'account', username: viewer.username, role: viewer.role, scope: d.allow ? d.scope : null };
  };
}
