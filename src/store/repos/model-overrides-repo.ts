import type { Kysely, Selectable } from 'kysely';
import type { Database, ModelOverridesTable } from '../schema.js';

export type ModelOverrideRow = Selectable<ModelOverridesTable>;

export class ModelOverridesRepo {
  constructor(private readonly db: Kysely<Database>) {}

  async all(): Promise<ModelOverrideRow[]> {
    return this.db.selectFrom('model_overrides').selectAll().execute();
  }

  async upsert(row: ModelOverrideRow): Promise<void> {
    await this.db
      .insertInto('model_overrides')
      .values(row)
      .onConflict((oc) => oc.columns(['provider', 'model']).doUpdateSet({ data: row.data, updated_at: row.updated_at }))
      .execute();
  }
}
