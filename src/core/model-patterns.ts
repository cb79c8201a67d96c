/**
 * A key's model allow-list: exact names or `*` wildcards (`gpt-4o*`, `anthropic/*`, `*mini*`), matched
 * against both the bare model name and `provider/name` under every name of the provider.
 */
export function modelAllowed(patterns: readonly string[] | null, providerNames: readonly string[], model: string): boolean {
  if (patterns === null) return true;
  const candidates = [model, ...providerNames.map((provider) => `${provider}/${model}`)];
  return patterns.some((pattern) => {
    const matcher = compile(pattern);
    return candidates.some((candidate) => matcher.test(candidate));
  });
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
    regex = new RegExp(`^${source}$`, 'i');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex;
}
