import type { Db } from './db.js';
import { KeysRepo } from './repos/keys-repo.js';
import { LedgerRepo } from './repos/ledger-repo.js';
import { ModelOverridesRepo } from './repos/model-overrides-repo.js';
import { RequestsRepo } from './repos/requests-repo.js';
import { SettingsRepo } from './repos/settings-repo.js';
import { UsersRepo } from './repos/users-repo.js';

export { openDb, migrateToLatest, ping, type Db, type StoreKind } from './db.js';
export { isUniqueViolation } from './errors.js';
export type { UserRow } from './repos/users-repo.js';
export type { KeyRow, KeyPatch, KeyWithOwner } from './repos/keys-repo.js';
export type { LedgerRow, MoveResult } from './repos/ledger-repo.js';
export type { RequestRow, NewRequestRow, RequestFilter } from './repos/requests-repo.js';
export type { ModelOverrideRow } from './repos/model-overrides-repo.js';

export interface Store {
  db: Db;
  users: UsersRepo;
  keys: KeysRepo;
  ledger: LedgerRepo;
  requests: RequestsRepo;
  settings: SettingsRepo;
  modelOverrides: ModelOverridesRepo;
}

export function createStore(db: Db): Store {
  return {
    db,
    users: new UsersRepo(db.kysely),
    keys: new KeysRepo(db.kysely),
    ledger: new LedgerRepo(db.kysely),
    requests: new RequestsRepo(db),
    settings: new SettingsRepo(db.kysely),
    modelOverrides: new ModelOverridesRepo(db.kysely),
  };
}
