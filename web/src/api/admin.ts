import { keepPreviousData, type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query } from './client';
import type {
  AdminModel,
  AdminModelInput,
  AdminModelList,
  AdminOverview,
  AdminUserDetail,
  AdminUserRow,
  AdminUsersPage,
  AuditPage,
  BillingSettings,
  BillingSettingsInput,
  CreditResult,
  ResetLink,
  UpstreamList,
} from './types';

const get = <T,>(path: string) => ({ signal }: { signal: AbortSignal }) => api<T>('GET', path, undefined, { signal });
const userPath = (id: string) => `/api/admin/users/${encodeURIComponent(id)}`;
const invalidate = (client: QueryClient, keys: unknown[][]) => Promise.all(keys.map((queryKey) => client.invalidateQueries({ queryKey })));

export function useAdminOverview(days: number) {
  return useQuery({ queryKey: ['admin', 'overview', days], queryFn: get<AdminOverview>(`/api/admin/overview?days=${days}`), placeholderData: keepPreviousData });
}

export function useAdminUsers(search: string, before: string | undefined) {
  return useQuery({
    queryKey: ['admin', 'users', search, before],
    queryFn: get<AdminUsersPage>('/api/admin/users' + query({ q: search, limit: 50, before })),
    placeholderData: keepPreviousData,
  });
}

export function useAdminUser(id: string) {
  return useQuery({ queryKey: ['admin', 'user', id], queryFn: get<AdminUserDetail>(userPath(id)) });
}

function useUserMutation<TBody, TResult>(build: (id: string, body: TBody) => Promise<TResult>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: TBody }) => build(id, body),
    // Credit, block, role: the user's page (balance, keys, ledger), the users list and the overview's totals
    // show it, the audit log records it; the cabinet's own balance too, when the admin acted on themselves.
    onSuccess: (_result, { id }) =>
      invalidate(client, [['admin', 'user', id], ['admin', 'users'], ['admin', 'overview'], ['admin', 'audit'], ['ledger'], ['balance']]),
  });
}

export function useCredit() {
  return useUserMutation((id, body: { amount_micro: number; note: string; idempotencyKey: string }) =>
    api<CreditResult>('POST', `${userPath(id)}/credit`, { amount_micro: body.amount_micro, note: body.note }, { headers: { 'idempotency-key': body.idempotencyKey } }),
  );
}

export function useBlock() {
  return useUserMutation((id, blocked: boolean) => api<AdminUserRow>('POST', `${userPath(id)}/${blocked ? 'block' : 'unblock'}`));
}

export function useResetLink() {
  return useUserMutation((id, _body: undefined) => api<ResetLink>('POST', `${userPath(id)}/reset-link`));
}

export function useSetRole() {
  return useUserMutation((id, role: 'admin' | 'user') => api<AdminUserRow>('POST', `${userPath(id)}/role`, { role }));
}

/** The account's own fair-use limits, all three at once (null: none). */
export function useSetLimits() {
  return useUserMutation((id, limits: Pick<AdminUserRow, 'rpm_limit' | 'tpm_limit' | 'concurrency_limit'>) => api<AdminUserRow>('PUT', `${userPath(id)}/limits`, limits));
}

export function useAdminModels() {
  return useQuery({ queryKey: ['admin', 'models'], queryFn: get<AdminModelList>('/api/admin/models') });
}

export function usePutModel() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: string; body: AdminModelInput }) => api<AdminModel>('PUT', `/api/admin/models/${id.split('/').map(encodeURIComponent).join('/')}`, body),
    onSuccess: () => invalidate(client, [['admin', 'models'], ['models'], ['admin', 'audit']]),
  });
}

export function useSettings() {
  return useQuery({ queryKey: ['admin', 'settings'], queryFn: get<BillingSettings>('/api/admin/settings') });
}

export function usePutSettings() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BillingSettingsInput) => api<BillingSettings>('PUT', '/api/admin/settings', body),
    // The rate and the markup reprice every ruble figure: both price lists and the balance's USD equivalent.
    onSuccess: () => invalidate(client, [['admin', 'settings'], ['admin', 'models'], ['models'], ['balance'], ['admin', 'audit']]),
  });
}

export function useUpstreams() {
  return useQuery({ queryKey: ['admin', 'upstreams'], queryFn: get<UpstreamList>('/api/admin/upstreams') });
}

export interface AuditFilters {
  action?: string;
  actor?: string;
  /** Exactly what was acted on: a user id (or their email), a key id, `openai/gpt-4o`. */
  target?: string;
}

export function useAudit(filters: AuditFilters, before: string | undefined) {
  return useQuery({
    queryKey: ['admin', 'audit', filters, before],
    queryFn: get<AuditPage>('/api/admin/audit' + query({ limit: 50, before, ...filters })),
    placeholderData: keepPreviousData,
  });
}
