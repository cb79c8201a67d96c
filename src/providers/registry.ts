import type { Op } from '../core/ops.js';
import { DIALECTS, dialectServes } from '../dialects/index.js';
import type { ProviderSpec } from './spec.js';

/** Validated lookup over the provider list; refuses to boot on a contradictory list. */
export class ProviderRegistry {
  private readonly byId = new Map<string, ProviderSpec>();
  private readonly byMount = new Map<string, ProviderSpec>();

  constructor(readonly all: readonly ProviderSpec[]) {
    for (const spec of all) {
      for (const name of [spec.id, ...spec.aliases]) {
        if (this.byId.has(name)) throw new Error(`provider registry: "${name}" is declared twice`);
        this.byId.set(name, spec);
      }
      for (const mount of spec.mounts) {
        if (!/^\/[a-z0-9-]+$/.test(mount)) throw new Error(`provider registry: bad mount "${mount}" for ${spec.id}`);
        if (this.byMount.has(mount)) throw new Error(`provider registry: mount "${mount}" is declared twice`);
        this.byMount.set(mount, spec);
      }
      if (spec.versions.length === 0) throw new Error(`provider registry: ${spec.id} serves no API version`);
      if (!(spec.dialect in DIALECTS)) throw new Error(`provider registry: ${spec.id} speaks an unknown dialect "${spec.dialect}"`);
      for (const op of spec.ops) assertServes(spec, op, `provider ${spec.id}`);
    }
  }

  /** Refuses (at boot) a catalog model that claims an operation its provider's dialect cannot carry. */
  checkModel(model: { id: string; provider: string; ops: readonly Op[] }): void {
    const spec = this.byId.get(model.provider);
    if (!spec) throw new Error(`provider registry: model ${model.id} names an unknown provider "${model.provider}"`);
    for (const op of model.ops) assertServes(spec, op, `model ${model.provider}/${model.id}`);
  }

  get(idOrAlias: string): ProviderSpec | undefined {
    return this.byId.get(idOrAlias);
  }

  /** Every name a provider answers to (`gemini`, `google`), for matching `provider/model` patterns. */
  namesOf(idOrAlias: string): readonly string[] {
    const spec = this.byId.get(idOrAlias);
    return spec ? [spec.id, ...spec.aliases] : [idOrAlias];
  }

  mounts(): Array<[mount: string, spec: ProviderSpec]> {
    return [...this.byMount.entries()];
  }
}

function assertServes(spec: ProviderSpec, op: Op, who: string): void {
  if (!dialectServes(spec.dialect, op)) {
    throw new Error(`provider registry: ${who} claims ${op}, which the ${spec.dialect} dialect has no codec for`);
  }
}
